import type { AppContext } from '../app-context.js';
import type { CatalogIntegration } from '../catalog/catalog.js';
import { claimPlanChange, findRecordedPlanId, recordInstallationPlan, releasePlanChange, renewPlanChangeClaim } from '../db/installation-updates.js';
import { findLiveInstallation } from '../db/installations.js';
import { appendLedgerEntry } from '../db/ledger.js';
import type { Membership, User } from '../domain/accounts.js';
import type { PaymentAttempt } from '../domain/create-store.js';
import { newId } from '../domain/ids.js';
import { PlanChangeFailure, type InstallationPlanChangePorts, type PlanChange, type PlanChangeSettlementPorts } from '../domain/installation-plan-change.js';
import { pauseAt } from '../fault-injection.js';
import { normalizeProviderPlan } from '../domain/provider-plans.js';
import type { Notification } from '../domain/stores.js';
import { isProviderError } from '../providers/provider-error.js';
import { providerFor, userCaller } from '../providers/provider-for.js';
import { teamPaymentMethods } from './team-payment-methods.js';

/**
 * Binds `changeInstallationPlan` (domain/installation-plan-change.ts) to the database, the
 * integration's provider and the payment processor, for one request by `actor`.
 */
export function installationPlanChangePorts(ctx: AppContext, integration: CatalogIntegration, actor: { user: User; membership: Membership }): InstallationPlanChangePorts {
  const provider = providerFor(ctx.partners, ctx.providerBaseUrl, integration);
  const caller = userCaller(actor.user, actor.membership);
  const sources = new Map<string, string>();

  const pay = async (change: PlanChange, kind: 'authorization' | 'charge', methodId: string, amountCents: number): Promise<PaymentAttempt> => {
    // One key per change and step: a step repeated within the change moves money once.
    const operationKey = `${change.id}:${kind}`;
    const request = { methodSource: sources.get(methodId) ?? methodId, amountCents, idempotencyKey: operationKey };
    const outcome = kind === 'authorization' ? await ctx.payments.authorize(request) : await ctx.payments.charge(request);
    if (!outcome.ok) return { ok: false, message: outcome.message };
    const authorizationNote = change.authorizationId === undefined ? '' : ` (authorizationId ${change.authorizationId})`;
    await appendLedgerEntry(ctx.db, {
      teamId: change.installation.teamId,
      storeId: null,
      kind,
      amountCents,
      paymentMethodId: methodId,
      billingPlanId: change.plan.id,
      reference: outcome.reference,
      operationKey,
      memo: `${kind} for installation ${change.installation.id} moving to plan ${change.plan.id}${authorizationNote}`,
      createdAt: ctx.now(),
    });
    return { ok: true, reference: outcome.reference };
  };

  return {
    findInstallation: (teamId, id) => findLiveInstallation(ctx.db, teamId, id),
    async listInstallationPlans(installation) {
      try {
        const plans = await provider.listInstallationPlans(installation.id, { accountId: installation.teamId });
        return plans.map((p) => normalizeProviderPlan(p));
      } catch (error) {
        // The endpoint is optional for partners: one that does not serve it has no installation plans.
        if (isProviderError(error) && error.kind === 'not_found') return [];
        throw isProviderError(error) ? error.toApiError() : error;
      }
    },
    recordedPlanId: (id) => findRecordedPlanId(ctx.db, id),
    async paymentMethodsOf(teamId) {
      const { methods, defaultId, sources: found } = await teamPaymentMethods(ctx, teamId);
      for (const [id, source] of found) sources.set(id, source);
      return { methods, defaultId };
    },
    ...planChangeSettlementPorts(ctx, integration),
    claim: (change, charge) => claimPlanChange(ctx.db, change.installation.id, change.id, { planId: change.plan.id, charge }, ctx.now()),
    authorize: (change, methodId, amountCents) => pay(change, 'authorization', methodId, amountCents),
    charge: (change, methodId, amountCents) => pay(change, 'charge', methodId, amountCents),
    async updateAtProvider(change, billingPlanId) {
      await pauseAt('plan-change-after-charge');
      try {
        const answer = await provider.updateInstallation(change.installation.id, { billingPlanId }, caller, { idempotencyKey: change.id });
        await pauseAt('plan-change-after-provider');
        return {
          ...(answer.billingPlan ? { billingPlan: normalizeProviderPlan(answer.billingPlan) } : {}),
          ...(answer.notification !== undefined ? { notification: answer.notification as Notification | null } : {}),
        };
      } catch (error) {
        if (!isProviderError(error)) throw error;
        // A 409 is not a definite refusal: the partner client retries a timed-out call with the same
        // Idempotency-Key, and a 409 to the retry ("in progress") may follow a first attempt that applied.
        const refused = error.kind === 'validation' || error.kind === 'forbidden' || error.kind === 'not_found';
        throw new PlanChangeFailure(refused ? 'rejected' : 'unknown', error.toApiError());
      }
    },
    newChangeId: () => newId('ipc'),
  };
}

/**
 * Binds `settlePlanChange` (domain/installation-plan-change.ts) for the installations of
 * `integration`: no user is needed, so the reconciliation loop uses these too.
 */
export function planChangeSettlementPorts(ctx: AppContext, integration: CatalogIntegration): PlanChangeSettlementPorts {
  const provider = providerFor(ctx.partners, ctx.providerBaseUrl, integration);
  return {
    async readProviderPlan(installation) {
      try {
        const state = await provider.getInstallation(installation.id, { accountId: installation.teamId });
        return {
          reached: true,
          billingPlan: state.billingPlan ? normalizeProviderPlan(state.billingPlan) : null,
          ...(state.notification !== undefined ? { notification: state.notification as Notification | null } : {}),
        };
      } catch (error) {
        if (!isProviderError(error)) throw error;
        // Only a 200 or a 404 (the installation is gone at the provider, so it bills no plan)
        // answers; any other refusal (401, 403, 409, 422: credentials, a misconfigured JWKS), a 5xx,
        // a timeout or a malformed body says nothing about the plan, and the change stays pending.
        if (error.kind === 'not_found') return { reached: true, billingPlan: null };
        return { reached: false, reason: error.message };
      }
    },
    async renewClaim(change) {
      const now = ctx.now();
      return (await renewPlanChangeClaim(ctx.db, change.installation.id, change.id, change.claimedAt, now)) ? { ...change, claimedAt: now } : null;
    },
    async refund(change, charge, reason) {
      // One refund per change: the processor call and the ledger row share the change's key.
      const operationKey = `${change.id}:refund`;
      const { reference } = await ctx.payments.refund({ chargeReference: charge.reference, amountCents: charge.amountCents, idempotencyKey: operationKey });
      await appendLedgerEntry(ctx.db, {
        teamId: change.installation.teamId,
        storeId: null,
        kind: 'refund',
        amountCents: charge.amountCents,
        billingPlanId: change.planId,
        reference,
        operationKey,
        memo: `refund of ${charge.reference} for installation ${change.installation.id}: ${reason}`,
        createdAt: ctx.now(),
      });
    },
    record: (change, plan, notification) =>
      recordInstallationPlan(
        ctx.db,
        change.installation.id,
        { changeId: change.id, claimedAt: change.claimedAt },
        { billingPlan: JSON.stringify(plan), notification: notification === undefined ? undefined : notification === null ? null : JSON.stringify(notification) },
        ctx.now(),
      ),
    release: (change) => releasePlanChange(ctx.db, change.installation.id, { changeId: change.id, claimedAt: change.claimedAt }),
  };
}
