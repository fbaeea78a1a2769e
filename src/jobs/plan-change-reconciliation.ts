import type { AppContext } from '../app-context.js';
import { startLoop } from '../background-loop.js';
import { listStalePlanChanges, renewPlanChangeClaim, type HeldPlanChange } from '../db/installation-updates.js';
import { findLedgerEntryByOperationKey } from '../db/ledger.js';
import { settlePlanChange, type PendingPlanChange, type SettlementOutcome } from '../domain/installation-plan-change.js';
import { planChangeSettlementPorts } from '../use-cases/installation-plan-change-ports.js';

/**
 * Settles installation plan changes nobody is finishing (docs/installation-updates.md, "When the
 * outcome is unknown"): a change whose process died part-way, and a change whose Update
 * Installation answer was lost and whose provider could not be asked at once. Either holds its
 * installation's claim (`plan_change_id`), and a claim older than the lease is one of these.
 * Each is settled as the request would have settled it (`settlePlanChange`): the provider's Get
 * Installation reports the plan asked for → recorded, the charge kept; another plan or none →
 * refunded (keyed by the change, so never twice) and the claim let go; no answer → left as it
 * is, tried again when the renewed claim is stale once more.
 *
 * Replica safety: a change is taken by a compare-and-swap of its claim's time
 * (`renewPlanChangeClaim`), so of several replicas that list it, one works it.
 */

export interface PlanChangeReconciliationSettings {
  /** A claim untouched this long belongs to no running change; above a change's longest duration. */
  readonly leaseMs: number;
  /** Most changes handled in one pass; default 20. */
  readonly limit?: number;
}

/** One pass: settles the stale plan changes this replica takes; change id → outcome. */
export async function reconcilePlanChanges(ctx: AppContext, settings: PlanChangeReconciliationSettings): Promise<Map<string, SettlementOutcome>> {
  const outcomes = new Map<string, SettlementOutcome>();
  const stale = await listStalePlanChanges(ctx.db, ctx.now() - settings.leaseMs, settings.limit ?? 20);
  for (const held of stale) {
    if (!(await renewPlanChangeClaim(ctx.db, held.installation.id, held.changeId, held.claimedAt, ctx.now()))) continue; // another replica took it
    const integration = ctx.catalog.findIntegration(held.installation.integrationId);
    if (!integration) {
      ctx.logger.error({ installation: held.installation.id, change: held.changeId }, 'plan change reconciliation: the integration left the catalog; its provider cannot be asked');
      continue;
    }
    const outcome = await settlePlanChange(planChangeSettlementPorts(ctx, integration), await pendingChange(ctx, held));
    outcomes.set(held.changeId, outcome);
    const log = outcome === 'pending' ? ctx.logger.warn.bind(ctx.logger) : ctx.logger.info.bind(ctx.logger);
    log({ installation: held.installation.id, change: held.changeId, outcome }, 'plan change reconciliation');
  }
  return outcomes;
}

/**
 * What the change did, from its ledger rows (keyed `${id}:authorization|charge|refund`): the plan
 * they name, and the charge unless it was refunded already (a refund made before a crash).
 */
async function pendingChange(ctx: AppContext, held: HeldPlanChange): Promise<PendingPlanChange> {
  const charge = await findLedgerEntryByOperationKey(ctx.db, `${held.changeId}:charge`);
  const authorization = charge ? undefined : await findLedgerEntryByOperationKey(ctx.db, `${held.changeId}:authorization`);
  const refunded = charge ? (await findLedgerEntryByOperationKey(ctx.db, `${held.changeId}:refund`)) !== undefined : false;
  return {
    id: held.changeId,
    installation: held.installation,
    planId: charge?.billingPlanId ?? authorization?.billingPlanId ?? null,
    charge: charge?.reference && !refunded ? { reference: charge.reference, amountCents: charge.amountCents } : null,
  };
}

/** Runs `reconcilePlanChanges` every `intervalMs`, first at once; errors are logged and the loop goes on. */
export function startPlanChangeReconciliation(ctx: AppContext, settings: PlanChangeReconciliationSettings & { readonly intervalMs: number }): () => Promise<void> {
  return startLoop(
    async () => {
      try {
        await reconcilePlanChanges(ctx, settings);
      } catch (error) {
        ctx.logger.error({ err: error instanceof Error ? error.message : String(error) }, 'plan change reconciliation pass failed');
      }
    },
    settings.intervalMs,
    { runAtOnce: true },
  );
}
