import type { AppContext } from '../app-context.js';
import { startLoop } from '../background-loop.js';
import { listStalePlanChanges, renewPlanChangeClaim, type HeldPlanChange } from '../db/installation-updates.js';
import { appendLedgerEntry, findLedgerEntryByOperationKey } from '../db/ledger.js';
import type { LedgerEntry } from '../domain/ledger.js';
import { settlePlanChange, type PendingPlanChange, type SettlementOutcome } from '../domain/installation-plan-change.js';
import { planChangeSettlementPorts } from '../use-cases/installation-plan-change-ports.js';
import { teamPaymentMethods } from '../use-cases/team-payment-methods.js';

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
 * (`renewPlanChangeClaim`), so of several replicas that list it, one works it; the request that
 * began the change is fenced the same way, and answers 409 once the loop has taken it.
 *
 * A change still unconfirmed `deadlineMs` after it began (the provider could not be asked all
 * that time) is refunded and let go: the money is not held forever on a question nobody answers.
 */

export interface PlanChangeReconciliationSettings {
  /** A claim untouched this long belongs to no running change; above a change's longest duration. */
  readonly leaseMs: number;
  /** Most changes handled in one pass; default 20. */
  readonly limit?: number;
  /** Since a change began: past this, a change the provider still cannot confirm is refunded and let go. None: kept until confirmed. */
  readonly deadlineMs?: number;
}

/** One pass: settles the stale plan changes this replica takes; change id → outcome. */
export async function reconcilePlanChanges(ctx: AppContext, settings: PlanChangeReconciliationSettings): Promise<Map<string, SettlementOutcome>> {
  const outcomes = new Map<string, SettlementOutcome>();
  const stale = await listStalePlanChanges(ctx.db, ctx.now() - settings.leaseMs, settings.limit ?? 20);
  for (const held of stale) {
    // One change that fails (a database error, a processor outage) must not keep the others waiting.
    try {
      const outcome = await reconcileOne(ctx, held, settings);
      if (outcome !== undefined) outcomes.set(held.changeId, outcome);
    } catch (error) {
      ctx.logger.error({ installation: held.installation.id, change: held.changeId, err: error instanceof Error ? error.message : String(error) }, 'plan change reconciliation: settling this change failed; tried again next pass');
    }
  }
  return outcomes;
}

async function reconcileOne(ctx: AppContext, held: HeldPlanChange, settings: PlanChangeReconciliationSettings): Promise<SettlementOutcome | undefined> {
  const claimedAt = ctx.now();
  if (!(await renewPlanChangeClaim(ctx.db, held.installation.id, held.changeId, held.claimedAt, claimedAt))) return undefined; // another replica took it
  const integration = ctx.catalog.findIntegration(held.installation.integrationId);
  if (!integration) {
    ctx.logger.error({ installation: held.installation.id, change: held.changeId }, 'plan change reconciliation: the integration left the catalog; its provider cannot be asked');
    return undefined;
  }
  const pastDeadline = settings.deadlineMs !== undefined && held.beganAt !== null && ctx.now() - held.beganAt >= settings.deadlineMs;
  const outcome = await settlePlanChange(planChangeSettlementPorts(ctx, integration), await pendingChange(ctx, held, claimedAt), { giveUp: pastDeadline });
  const log = outcome === 'pending' || pastDeadline ? ctx.logger.warn.bind(ctx.logger) : ctx.logger.info.bind(ctx.logger);
  if (pastDeadline && outcome === 'refunded') {
    log({ installation: held.installation.id, change: held.changeId, outcome, deadlineMs: settings.deadlineMs }, 'plan change reconciliation: the provider did not confirm the change before the deadline; its charge is refunded and the installation keeps its recorded plan');
  } else {
    log({ installation: held.installation.id, change: held.changeId, outcome }, 'plan change reconciliation');
  }
  return outcome;
}

/**
 * What the change did: the plan it asked for (its intent, else its ledger rows, keyed
 * `${id}:authorization|charge|refund`), and its charge unless it was refunded already (a refund
 * made before a crash). A charge its intent announces but no ledger row records may have been
 * taken by a process that died before writing the row: only the processor knows, so it is asked
 * again with the change's key, which answers that charge (or takes it now), and recorded, so that
 * the settling below keeps or refunds it (as `refundUndeliverable` of the spend threshold does).
 */
async function pendingChange(ctx: AppContext, held: HeldPlanChange, claimedAt: number): Promise<PendingPlanChange> {
  const charge = (await findLedgerEntryByOperationKey(ctx.db, `${held.changeId}:charge`)) ?? (await chargeAgain(ctx, held));
  const authorization = charge ? undefined : await findLedgerEntryByOperationKey(ctx.db, `${held.changeId}:authorization`);
  const refunded = charge ? (await findLedgerEntryByOperationKey(ctx.db, `${held.changeId}:refund`)) !== undefined : false;
  return {
    id: held.changeId,
    installation: held.installation,
    planId: held.intent?.planId ?? charge?.billingPlanId ?? authorization?.billingPlanId ?? null,
    charge: charge?.reference && !refunded ? { reference: charge.reference, amountCents: charge.amountCents } : null,
    claimedAt,
  };
}

async function chargeAgain(ctx: AppContext, held: HeldPlanChange): Promise<LedgerEntry | undefined> {
  const intended = held.intent?.charge;
  if (!held.intent || !intended) return undefined;
  const { teamId } = held.installation;
  const { sources } = await teamPaymentMethods(ctx, teamId);
  const operationKey = `${held.changeId}:charge`;
  const charged = await ctx.payments.charge({ methodSource: sources.get(intended.paymentMethodId) ?? intended.paymentMethodId, amountCents: intended.amountCents, idempotencyKey: operationKey });
  if (!charged.ok) return undefined;
  return appendLedgerEntry(ctx.db, {
    teamId,
    storeId: null,
    kind: 'charge',
    amountCents: intended.amountCents,
    paymentMethodId: intended.paymentMethodId,
    billingPlanId: held.intent.planId,
    reference: charged.reference,
    operationKey,
    memo: `charge for installation ${held.installation.id} moving to plan ${held.intent.planId}, recovered from the processor after its process died`,
    createdAt: ctx.now(),
  });
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
