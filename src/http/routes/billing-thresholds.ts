import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { FastifyRequest } from 'fastify';
import { Type, type Static } from 'typebox';
import { findLiveInstallation } from '../../db/installations.js';
import { canManagePaymentMethods } from '../../domain/billing-roles.js';
import type { SpendThreshold } from '../../domain/spend-thresholds.js';
import { ApiError } from '../../errors.js';
import { readInstallationBalances } from '../../use-cases/installation-balances.js';
import { setInstallationThreshold, setStoreThreshold, type ThresholdRequest } from '../../use-cases/spend-thresholds.js';
import type { AppContext } from '../../app-context.js';
import { errorResponses } from '../error-schema.js';
import { TeamQuery } from '../pagination.js';
import { teamOf } from '../plugins/auth.js';

const Cents = Type.Integer({ minimum: 0, maximum: 1e12 });
const ThresholdBody = Type.Object({
  billingPlanId: Type.String({ minLength: 1, maxLength: 256 }),
  minimumAmountInCents: Cents,
  purchaseAmountInCents: Cents,
  maximumAmountPerPeriodInCents: Cents,
  metadata: Type.Optional(Type.String({ maxLength: 4096, description: 'JSON text of an object, kept as sent' })),
});
const ThresholdWire = Type.Object({
  id: Type.String(),
  resourceId: Type.Optional(Type.String({ description: "The partner's resource id; absent for the installation's threshold" })),
  billingPlanId: Type.String(),
  minimumAmountInCents: Type.Integer(),
  purchaseAmountInCents: Type.Integer(),
  maximumAmountPerPeriodInCents: Type.Integer(),
  metadata: Type.String(),
  createdAt: Type.Integer(),
  updatedAt: Type.Integer(),
});
const BalanceWire = Type.Object({
  resourceId: Type.Optional(Type.String({ description: "The partner's resource id; absent for the installation's balance" })),
  currencyValueInCents: Type.Integer(),
  credit: Type.Optional(Type.String()),
  nameLabel: Type.Optional(Type.String()),
  source: Type.Enum(['partner', 'ledger'], { description: "partner: the partner's last figure; ledger: none from the partner, the credit Stockroom's ledger recorded" }),
  reportedAt: Type.Optional(Type.Integer({ description: "The partner's timestamp of its figure, epoch ms" })),
});
const InstallationParams = Type.Object({ icfg: Type.String({ minLength: 1, maxLength: 128 }) });
const ResourceParams = Type.Object({ ...InstallationParams.properties, resourceId: Type.String({ minLength: 1, maxLength: 256 }) });

function presentThreshold(t: SpendThreshold): Static<typeof ThresholdWire> {
  return {
    id: t.id,
    ...(t.resourceId === null ? {} : { resourceId: t.resourceId }),
    billingPlanId: t.billingPlanId,
    minimumAmountInCents: t.minimumCents,
    purchaseAmountInCents: t.purchaseCents,
    maximumAmountPerPeriodInCents: t.maximumPerPeriodCents,
    metadata: t.metadata,
    createdAt: t.createdAt,
    updatedAt: t.updatedAt,
  };
}

function requestOf(body: Static<typeof ThresholdBody>): ThresholdRequest {
  return {
    billingPlanId: body.billingPlanId,
    minimumCents: body.minimumAmountInCents,
    purchaseCents: body.purchaseAmountInCents,
    maximumPerPeriodCents: body.maximumAmountPerPeriodInCents,
    ...(body.metadata !== undefined ? { metadata: body.metadata } : {}),
  };
}

/**
 * Balances and spend thresholds of an installation (docs/balances-and-thresholds.md), as `vercel
 * integration balance` and `vercel integration resource create-threshold` call them. Every team
 * role may read; a threshold spends the team's money on its own, so only OWNER and BILLING set
 * one, as for payment methods.
 */
export const billingThresholdRoutes: FastifyPluginAsyncTypebox<{ ctx: AppContext }> = async (app, { ctx }) => {
  async function installationOf(request: FastifyRequest, id: string) {
    const installation = await findLiveInstallation(ctx.db, teamOf(request).team.id, id);
    if (!installation) throw new ApiError('not_found', `The integration configuration ${id} was not found.`);
    return installation;
  }

  async function requireBillingManager(request: FastifyRequest): Promise<void> {
    const { team, membership } = teamOf(request);
    if (!canManagePaymentMethods(membership.role)) {
      throw new ApiError('forbidden', `Your role ${membership.role} on team ${team.slug} may not set spend thresholds; OWNER and BILLING may.`);
    }
  }

  app.get(
    '/v1/integrations/installations/:icfg/billing/balance',
    {
      schema: {
        tags: ['integrations'],
        summary: "The installation's prepaid balances (the partner's last figure, else the ledger's credit) and spend thresholds",
        params: InstallationParams,
        querystring: TeamQuery,
        response: { 200: Type.Object({ balances: Type.Array(BalanceWire), thresholds: Type.Array(ThresholdWire) }), ...errorResponses(401, 403, 404) },
      },
    },
    async (request) => {
      const installation = await installationOf(request, request.params.icfg);
      const { balances, thresholds } = await readInstallationBalances(ctx, installation.id);
      return {
        balances: balances.map((b) => ({
          ...(b.resourceId === null ? {} : { resourceId: b.resourceId }),
          currencyValueInCents: b.currencyValueInCents,
          ...(b.credit === null ? {} : { credit: b.credit }),
          ...(b.nameLabel === null ? {} : { nameLabel: b.nameLabel }),
          source: b.source,
          ...(b.reportedAt === null ? {} : { reportedAt: b.reportedAt }),
        })),
        thresholds: thresholds.map(presentThreshold),
      };
    },
  );

  app.post(
    '/v1/integrations/installations/:icfg/resources/:resourceId/billing/threshold',
    {
      onRequest: requireBillingManager,
      schema: {
        tags: ['integrations'],
        summary: "Create or replace a prepaid store's spend threshold (resourceId: the store's id or the partner's resource id)",
        params: ResourceParams,
        querystring: TeamQuery,
        body: ThresholdBody,
        response: { 200: ThresholdWire, ...errorResponses(400, 401, 403, 404) },
      },
    },
    async (request) => {
      const installation = await installationOf(request, request.params.icfg);
      return presentThreshold(await setStoreThreshold(ctx, installation, request.params.resourceId, requestOf(request.body)));
    },
  );

  app.post(
    '/v1/integrations/installations/:icfg/billing/threshold/batch',
    {
      onRequest: requireBillingManager,
      schema: {
        tags: ['integrations'],
        summary: "Create or replace the installation's spend threshold (installation-level prepaid plans); a one-item array",
        params: InstallationParams,
        querystring: TeamQuery,
        body: Type.Array(ThresholdBody, { minItems: 1, maxItems: 1 }),
        response: { 200: Type.Object({ thresholds: Type.Array(ThresholdWire) }), ...errorResponses(400, 401, 403, 404) },
      },
    },
    async (request) => {
      const installation = await installationOf(request, request.params.icfg);
      const threshold = await setInstallationThreshold(ctx, installation, requestOf(request.body[0]!));
      return { thresholds: [presentThreshold(threshold)] };
    },
  );
};
