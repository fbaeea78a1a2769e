import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { FastifyRequest } from 'fastify';
import { Type, type Static } from 'typebox';
import { listLedgerEntries } from '../../db/ledger.js';
import {
  deletePaymentMethod,
  findPaymentMethod,
  getDefaultPaymentMethodId,
  insertPaymentMethod,
  listPaymentMethods,
  setDefaultPaymentMethodId,
} from '../../db/payment-methods.js';
import { findTeam, setTeamBillingState } from '../../db/teams.js';
import { canChangeBillingState, canManagePaymentMethods } from '../../domain/billing-roles.js';
import { newId } from '../../domain/ids.js';
import { LEDGER_KINDS, type LedgerEntry } from '../../domain/ledger.js';
import { ownUsableMethod, type PaymentMethod, type UsablePaymentMethod } from '../../domain/payment-methods.js';
import { hasOperatorPowers } from '../../domain/token-scope.js';
import { ApiError } from '../../errors.js';
// The built-in processor's test methods are the only sources a team's method can have; the port
// tells which of them the configured processor shares with every team.
import { TEST_PAYMENT_METHODS, type TestPaymentMethodId } from '../../payments/test-processor.js';
import type { AppContext } from '../../app-context.js';
import { errorResponses } from '../error-schema.js';
import { KeysetPagination, KeysetQuery, keysetPage, keysetPageQuery } from '../keyset-pagination.js';
import { TeamQuery } from '../pagination.js';
import { actorOf, resolveTeam, teamOf, type TeamSelector } from '../plugins/auth.js';

const TEST_METHOD_IDS = Object.keys(TEST_PAYMENT_METHODS) as TestPaymentMethodId[];
const BillingStateWire = Type.Enum(['active', 'soft_blocked']);
const PaymentMethodWire = Type.Object({
  id: Type.String(),
  brand: Type.String(),
  last4: Type.String(),
  source: Type.String({ description: 'The test method it behaves like; its own id for a shared method' }),
  isDefault: Type.Boolean(),
  shared: Type.Boolean({ description: 'Usable by every team; cannot be removed' }),
  createdAt: Type.Union([Type.Integer(), Type.Null()], { description: 'epoch milliseconds; null for a shared method' }),
});
const BillingWire = Type.Object({ billingState: BillingStateWire, defaultPaymentMethodId: Type.Union([Type.String(), Type.Null()]) });
const LedgerEntryWire = Type.Object({
  id: Type.String(),
  storeId: Type.Union([Type.String(), Type.Null()]),
  kind: Type.Enum(LEDGER_KINDS),
  amountCents: Type.Integer(),
  currency: Type.Literal('usd'),
  paymentMethodId: Type.Union([Type.String(), Type.Null()]),
  billingPlanId: Type.Union([Type.String(), Type.Null()]),
  reference: Type.Union([Type.String(), Type.Null()]),
  memo: Type.Union([Type.String(), Type.Null()]),
  createdAt: Type.Integer(),
});
const LedgerQuery = Type.Object({ ...TeamQuery.properties, ...KeysetQuery.properties, storeId: Type.Optional(Type.String({ minLength: 1 })) });
const Errors = { ...errorResponses(400, 401, 403) };

/**
 * Stockroom's billing extension (issue 3 §6; no Vercel equivalent, hence `/stockroom/`): a team's
 * payment methods and default (what store creation pays with, docs/rules.md §3), its billing state
 * and its ledger. Every team role may read. Payment methods are changed by OWNER or BILLING (not
 * by MEMBER, who may write stores); the billing state by the OWNER or an operator.
 */
export const paymentMethodRoutes: FastifyPluginAsyncTypebox<{ ctx: AppContext }> = async (app, { ctx }) => {
  function sharedMethods(): UsablePaymentMethod[] {
    return TEST_METHOD_IDS.filter((id) => ctx.payments.isSharedMethod(id)).map((id) => {
      const { brand, last4 } = TEST_PAYMENT_METHODS[id];
      return { id, source: id, brand, last4, shared: true, createdAt: null };
    });
  }

  /** What the team may pay with, and its default if that is still among them. */
  async function usableMethods(teamId: string): Promise<{ methods: UsablePaymentMethod[]; defaultId: string | null }> {
    const [own, storedDefault] = await Promise.all([listPaymentMethods(ctx.db, teamId), getDefaultPaymentMethodId(ctx.db, teamId)]);
    const methods = [...sharedMethods(), ...own.map(ownUsableMethod)];
    return { methods, defaultId: methods.some((m) => m.id === storedDefault) ? storedDefault : null };
  }

  function present(method: UsablePaymentMethod, defaultId: string | null): Static<typeof PaymentMethodWire> {
    return { ...method, isDefault: method.id === defaultId };
  }

  // Route-level onRequest hooks run after the auth plugin's, so 403 still comes before body errors.
  async function requirePaymentManager(request: FastifyRequest): Promise<void> {
    const { team, membership } = teamOf(request);
    if (!canManagePaymentMethods(membership.role)) {
      throw new ApiError('forbidden', `Your role ${membership.role} on team ${team.slug} may not change payment methods; OWNER and BILLING may.`);
    }
  }

  /**
   * The billing state is changed by the team's OWNER or by an operator, who may act on any team
   * without being a member (there is no invoicing system to do it), unless the token is scoped.
   */
  async function requireBillingStateChanger(request: FastifyRequest): Promise<void> {
    const actor = actorOf(request);
    const selector = teamSelectorOf(request.query);
    const named = selector.teamId ?? selector.slug;
    if (hasOperatorPowers(actor) && named !== undefined) {
      const team = await findTeam(ctx.db, selector.teamId?.startsWith('team_') ? { id: selector.teamId } : { slug: named });
      if (!team) throw new ApiError('not_found', `No team "${named}" exists on this Stockroom.`);
      request.team = team;
      return;
    }
    const { team, membership } = await resolveTeam(ctx, actor, selector);
    if (!canChangeBillingState(membership.role, hasOperatorPowers(actor))) {
      throw new ApiError('forbidden', `Only an OWNER of ${team.slug} or an operator may change its billing state.`);
    }
    request.team = team;
  }

  app.get(
    '/stockroom/v1/payment-methods',
    {
      schema: {
        tags: ['stockroom'],
        summary: "List the payment methods the team may use: the shared test methods and the team's own",
        querystring: TeamQuery,
        response: { 200: Type.Object({ paymentMethods: Type.Array(PaymentMethodWire), defaultPaymentMethodId: BillingWire.properties.defaultPaymentMethodId }), ...Errors },
      },
    },
    async (request) => {
      const { methods, defaultId } = await usableMethods(teamOf(request).team.id);
      return { paymentMethods: methods.map((m) => present(m, defaultId)), defaultPaymentMethodId: defaultId };
    },
  );

  app.post(
    '/stockroom/v1/payment-methods',
    {
      onRequest: requirePaymentManager,
      schema: {
        tags: ['stockroom'],
        summary: 'Add a payment method that behaves like a test method, as attaching a Stripe test card does (OWNER or BILLING)',
        querystring: TeamQuery,
        body: Type.Object({
          source: Type.Enum(TEST_METHOD_IDS),
          setDefault: Type.Optional(Type.Boolean({ default: false })),
        }),
        response: { 200: PaymentMethodWire, ...Errors },
      },
    },
    async (request) => {
      const { team } = teamOf(request);
      const { source, setDefault } = request.body;
      if (!ctx.payments.isSharedMethod(source)) {
        throw new ApiError('invalid_payment_method', `The payment processor does not offer "${source}".`, { param: 'source' });
      }
      const { brand, last4 } = TEST_PAYMENT_METHODS[source];
      const method: PaymentMethod = { id: newId('pm'), teamId: team.id, source, brand, last4, createdAt: ctx.now() };
      await insertPaymentMethod(ctx.db, method, { makeDefault: setDefault === true });
      return present(ownUsableMethod(method), setDefault === true ? method.id : null);
    },
  );

  app.put(
    '/stockroom/v1/payment-methods/default',
    {
      onRequest: requirePaymentManager,
      schema: {
        tags: ['stockroom'],
        summary: "Choose the team's default payment method: a shared test method or the team's own (OWNER or BILLING)",
        querystring: TeamQuery,
        body: Type.Object({ paymentMethodId: Type.String({ minLength: 1, maxLength: 256 }) }),
        response: { 200: Type.Object({ defaultPaymentMethodId: Type.String() }), ...Errors },
      },
    },
    async (request) => {
      const { team } = teamOf(request);
      const { paymentMethodId } = request.body;
      const usable = ctx.payments.isSharedMethod(paymentMethodId) || (await findPaymentMethod(ctx.db, team.id, paymentMethodId)) !== undefined;
      if (!usable) {
        throw new ApiError('invalid_payment_method', `Payment method "${paymentMethodId}" does not belong to team ${team.slug}.`, { param: 'paymentMethodId' });
      }
      await setDefaultPaymentMethodId(ctx.db, team.id, paymentMethodId, ctx.now());
      return { defaultPaymentMethodId: paymentMethodId };
    },
  );

  app.delete(
    '/stockroom/v1/payment-methods/:id',
    {
      onRequest: requirePaymentManager,
      schema: {
        tags: ['stockroom'],
        summary: "Remove one of the team's own payment methods; the default is cleared if it was this one (OWNER or BILLING)",
        params: Type.Object({ id: Type.String({ minLength: 1, maxLength: 256 }) }),
        querystring: TeamQuery,
        response: { 200: Type.Object({ id: Type.String(), defaultPaymentMethodId: BillingWire.properties.defaultPaymentMethodId }), ...Errors, ...errorResponses(404) },
      },
    },
    async (request) => {
      const { team } = teamOf(request);
      const { id } = request.params;
      if (ctx.payments.isSharedMethod(id)) {
        throw new ApiError('bad_request', `"${id}" is a shared test method usable by every team; it cannot be removed.`, { param: 'id' });
      }
      if (!(await deletePaymentMethod(ctx.db, team.id, id, ctx.now()))) {
        throw new ApiError('not_found', `Team ${team.slug} has no payment method "${id}".`);
      }
      return { id, defaultPaymentMethodId: (await usableMethods(team.id)).defaultId };
    },
  );

  app.get(
    '/stockroom/v1/billing',
    {
      schema: { tags: ['stockroom'], summary: "The team's billing state and default payment method", querystring: TeamQuery, response: { 200: BillingWire, ...Errors } },
    },
    async (request) => {
      const { team } = teamOf(request);
      return { billingState: team.billingState, defaultPaymentMethodId: (await usableMethods(team.id)).defaultId };
    },
  );

  app.patch(
    '/stockroom/v1/billing',
    {
      // The team is resolved by the hook below: an operator need not be a member. A scoped token
      // reaches only its own team there (resolveTeam) and has no operator powers.
      config: { auth: 'user', scopedTokens: true },
      onRequest: requireBillingStateChanger,
      schema: {
        tags: ['stockroom'],
        summary: 'Soft-block or unblock the team; soft-blocked teams cannot create stores (OWNER or operator)',
        querystring: TeamQuery,
        body: Type.Object({ billingState: BillingStateWire }),
        response: { 200: BillingWire, ...Errors, ...errorResponses(404) },
      },
    },
    async (request) => {
      if (!request.team) throw new ApiError('forbidden');
      const teamId = request.team.id;
      await setTeamBillingState(ctx.db, teamId, request.body.billingState, ctx.now());
      return { billingState: request.body.billingState, defaultPaymentMethodId: (await usableMethods(teamId)).defaultId };
    },
  );

  app.get(
    '/stockroom/v1/ledger',
    {
      schema: {
        tags: ['stockroom'],
        summary: "The team's ledger, newest first: every authorization, charge, refund and credit",
        querystring: LedgerQuery,
        response: { 200: Type.Object({ entries: Type.Array(LedgerEntryWire), pagination: KeysetPagination }), ...Errors },
      },
    },
    async (request) => {
      const { team } = teamOf(request);
      const page = keysetPageQuery(request.query);
      const { storeId } = request.query;
      const rows = await listLedgerEntries(ctx.db, team.id, { ...page, ...(storeId !== undefined ? { storeId } : {}) });
      const { items, pagination } = keysetPage(rows, page.limit, (e) => e);
      return { entries: items.map(presentLedgerEntry), pagination };
    },
  );
};

/** `teamId` and `slug` from the raw query (onRequest runs before validation); a repeated one is refused. */
function teamSelectorOf(query: unknown): TeamSelector {
  const q = (query ?? {}) as Record<string, unknown>;
  const pick = (param: 'teamId' | 'slug'): string | undefined => {
    const value = q[param];
    if (value === undefined || value === '') return undefined;
    if (typeof value !== 'string') throw new ApiError('bad_request', `Give \`${param}\` once.`, { param });
    return value;
  };
  return { teamId: pick('teamId'), slug: pick('slug') };
}

function presentLedgerEntry(entry: LedgerEntry): Static<typeof LedgerEntryWire> {
  const { id, storeId, kind, amountCents, currency, paymentMethodId, billingPlanId, reference, memo, createdAt } = entry;
  return { id, storeId, kind, amountCents, currency, paymentMethodId, billingPlanId, reference, memo, createdAt };
}
