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
    claim: (change) => claimPlanChange(ctx.db, change.installation.id, change.id, ctx.now()),
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
        const refused = error.kind === 'validation' || error.kind === 'conflict' || error.kind === 'forbidden' || error.kind === 'not_found';
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
        // A definite answer (4xx, also a partner that does not serve the optional Get Installation)
        // reports no plan; only a lost or broken answer leaves the question open.
        const unknown = error.kind === 'timeout' || error.kind === 'network' || error.kind === 'server' || error.kind === 'malformed';
        return unknown ? { reached: false, reason: error.message } : { reached: true, billingPlan: null };
      }
    },
    renewClaim: (change) => renewPlanChangeClaim(ctx.db, change.installation.id, change.id, null, ctx.now()),
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
        change.id,
        { billingPlan: JSON.stringify(plan), notification: notification === undefined ? undefined : notification === null ? null : JSON.stringify(notification) },
        ctx.now(),
      ),
    release: (change) => releasePlanChange(ctx.db, change.installation.id, change.id),
  };
}
