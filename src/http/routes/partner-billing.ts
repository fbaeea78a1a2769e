import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type, type Static } from 'typebox';
import { recordFinalization } from '../../db/installations.js';
import type { BillingData, BillingProblem } from '../../domain/partner-billing.js';
import { ApiError } from '../../errors.js';
import { refuseBillingProblems, submitBillingData, submitPrepaymentBalances } from '../../use-cases/partner-billing.js';
import type { AppContext } from '../../app-context.js';
import { errorResponses } from '../error-schema.js';
import { requireInstallationToken } from '../plugins/installation-token.js';

/**
 * Billing calls partners make with the installation's access token (partner-api.md §1.5,
 * vercel-contract.md §6): Submit Billing Data, Submit Prepayment Balances and Finalize
 * Installation. Mounted at the root and under `/api` like the other partner callbacks. They are
 * also taken from the partner of an installation uninstalled with `{finalized:false}`, until it
 * finalizes or its wait ends (docs/partner-billing-and-sso.md).
 */
export const partnerBillingRoutes: FastifyPluginAsyncTypebox<{ ctx: AppContext }> = async (app, { ctx }) => {
  for (const prefix of ['', '/api']) registerRoutes(app, ctx, prefix);
};

const IcfgParam = Type.Object({ icfg: Type.String({ minLength: 1, maxLength: 128 }) });
/** An ISO 8601 date-time, as the SDK sends a `Date`; checked by `Date.parse`. */
const DateTime = Type.String({ minLength: 10, maxLength: 40 });
const Text = (maxLength: number) => Type.String({ minLength: 1, maxLength });
const Amount = Type.String({ minLength: 1, maxLength: 32 });

const LineBase = {
  billingPlanId: Text(256),
  resourceId: Type.Optional(Text(256)),
  start: Type.Optional(DateTime),
  end: Type.Optional(DateTime),
  name: Text(256),
  details: Type.Optional(Type.String({ maxLength: 1024 })),
};
const BillingItem = Type.Object({ ...LineBase, price: Amount, quantity: Type.Number(), units: Type.String({ maxLength: 64 }), total: Amount });
const Discount = Type.Object({ ...LineBase, amount: Amount });
const Usage = Type.Object({
  resourceId: Type.Optional(Text(256)),
  name: Text(256),
  type: Type.Union([Type.Literal('total'), Type.Literal('interval'), Type.Literal('rate')]),
  units: Type.String({ maxLength: 64 }),
  dayValue: Type.Number(),
  periodValue: Type.Number(),
  planValue: Type.Optional(Type.Number()),
});

const BillingDataBody = Type.Object({
  timestamp: DateTime,
  eod: DateTime,
  period: Type.Object({ start: DateTime, end: DateTime }),
  // Vercel's two forms: `{items, discounts?}`, or (older) the items alone.
  billing: Type.Union([
    Type.Object({ items: Type.Array(BillingItem, { maxItems: 10_000 }), discounts: Type.Optional(Type.Array(Discount, { maxItems: 1000 })) }),
    Type.Array(BillingItem, { maxItems: 10_000 }),
  ]),
  usage: Type.Array(Usage, { maxItems: 10_000 }),
});

const BalancesBody = Type.Object({
  timestamp: DateTime,
  balances: Type.Array(
    Type.Object({
      resourceId: Type.Optional(Text(256)),
      credit: Type.Optional(Type.String({ maxLength: 256 })),
      nameLabel: Type.Optional(Type.String({ maxLength: 256 })),
      currencyValueInCents: Type.Integer({ minimum: -1e15, maximum: 1e15 }),
    }),
    { maxItems: 10_000 },
  ),
});

function registerRoutes(app: Parameters<FastifyPluginAsyncTypebox>[0], ctx: AppContext, prefix: string): void {
  /** A billing route's options: the partner's token (also while finalizing), tag, summary and the rest of its schema. */
  const options = <S extends object>(summary: string, rest: S) => ({
    config: { auth: 'none' as const },
    onRequest: requireInstallationToken(ctx, { duringFinalization: true }),
    schema: { tags: ['marketplace'], summary, hide: prefix !== '', security: [{ bearerToken: [] }], params: IcfgParam, ...rest },
  });
  // Exactly 201 (or 204) with no body: the SDK parses `M.nil(201)`.
  const created = { 201: Type.Null(), ...errorResponses(400, 401, 403, 404) };

  app.post(
    `${prefix}/v1/installations/:icfg/billing`,
    options('Submit Billing Data: a partner reports billing items and usage (eod and period end at most 24 h old); 201', { body: BillingDataBody, response: created }),
    async (request, reply) => {
      const installation = request.installation!;
      const body = request.body;
      const dates = new DateReader();
      const billing = Array.isArray(body.billing) ? { items: body.billing, discounts: [] } : { items: body.billing.items, discounts: body.billing.discounts ?? [] };
      const line = <T extends { start?: string; end?: string }>(entry: T, key: string) => ({
        ...entry,
        ...(entry.start === undefined ? {} : { start: dates.read(entry.start, `${key}.start`) }),
        ...(entry.end === undefined ? {} : { end: dates.read(entry.end, `${key}.end`) }),
      });
      const data: BillingData = {
        timestamp: dates.read(body.timestamp, 'timestamp'),
        eod: dates.read(body.eod, 'eod'),
        period: { start: dates.read(body.period.start, 'period.start'), end: dates.read(body.period.end, 'period.end') },
        items: billing.items.map((item, i) => line(item, `billing.items[${i}]`) as BillingData['items'][number]),
        discounts: billing.discounts.map((discount, i) => line(discount, `billing.discounts[${i}]`) as BillingData['discounts'][number]),
        usage: body.usage,
      };
      refuseBillingProblems(dates.problems);
      await submitBillingData(ctx, installation, data);
      request.log.info({ installation: installation.id, items: data.items.length, usage: data.usage.length }, 'billing data submitted by partner');
      return reply.code(201).send(null);
    },
  );

  app.post(
    `${prefix}/v1/installations/:icfg/billing/balance`,
    options('Submit Prepayment Balances: a partner reports the credit left per resource; 201', { body: BalancesBody, response: created }),
    async (request, reply) => {
      const installation = request.installation!;
      const body: Static<typeof BalancesBody> = request.body;
      const dates = new DateReader();
      const timestamp = dates.read(body.timestamp, 'timestamp');
      refuseBillingProblems(dates.problems);
      await submitPrepaymentBalances(ctx, installation, timestamp, body.balances);
      return reply.code(201).send(null);
    },
  );

  app.post(
    `${prefix}/v1/installations/:icfg/billing/finalize`,
    options('Finalize Installation: an uninstalled installation’s partner has sent its final invoices; 204', { response: { 204: Type.Null(), ...errorResponses(400, 401, 403) } }),
    async (request, reply) => {
      const installation = request.installation!;
      if (!(await recordFinalization(ctx.db, installation.id, ctx.now()))) {
        throw new ApiError('bad_request', `The installation ${installation.id} is not being uninstalled: Finalize Installation ends the wait for final invoices after an uninstall.`);
      }
      request.log.info({ installation: installation.id }, 'installation finalized by partner');
      return reply.code(204).send(null);
    },
  );
}

/** Reads ISO date-times, collecting a problem per unreadable one. */
class DateReader {
  readonly problems: BillingProblem[] = [];
  read(value: string, key: string): number {
    const ms = Date.parse(value);
    if (Number.isNaN(ms)) this.problems.push({ key, message: 'must be an ISO 8601 date-time' });
    return ms;
  }
}
