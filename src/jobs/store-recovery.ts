import { recordStoreRefund, settleStalledInvoices } from '../use-cases/invoices.js';
import { listLedgerRowsOfStore } from '../db/ledger.js';
import { claimForRecovery, findStoreRow, listRecoverableStores, recordRecoveryError, type RecoveryRow } from '../db/store-recovery-claims.js';
import { deleteProvisioningStore, storeFromRow } from '../db/stores.js';
import { findLiveInstallation } from '../db/installations.js';
import { findMembership } from '../db/teams.js';
import { findUserById } from '../db/users.js';
import type { Membership, User } from '../domain/accounts.js';
import { payAndProvision, type CreateStorePorts } from '../domain/create-store.js';
import type { Installation } from '../domain/installations.js';
import { canWrite } from '../domain/roles.js';
import type { Store } from '../domain/stores.js';
import { isApiError } from '../errors.js';
import type { AppContext } from '../app-context.js';
import { isProviderError } from '../providers/provider-error.js';
import { createStorePorts, type CatalogStoreProduct } from '../use-cases/create-store-ports.js';
import { cleanUpAtProvider, runDueCleanups } from '../use-cases/provider-cleanup.js';
import { startLoop } from '../background-loop.js';

/**
 * Crash recovery (issue 5 §4). A process that dies in the middle of a create leaves its store row
 * in `provisioning`, with whatever it did before: an authorization or charge in the ledger, a
 * resource at the provider whose id may never have reached Stockroom. Recovery brings each such
 * row, once it has made no progress for the grace period, to one of the two ends a create has:
 *
 * - **resumed**: `payAndProvision` runs again with the row's own keys. Ledger rows and processor
 *   calls are keyed by `${storeId}:…`, and Provision Resource carries the row's `provision_key`
 *   as Idempotency-Key, so a step that already happened answers what it answered the first time
 *   (the same charge, the same resource and secrets) and a step that did not happens now. The
 *   store ends `live` with its charge.
 * - **undone**: when it cannot be finished (a decline, a provider refusal, the creator no longer
 *   allowed to create stores, the installation gone, or the deadline since creation passed):
 *   an uninstall leaves `provisioning` rows to this (docs/uninstall-and-creates.md), and a
 *   resumed store cannot go live once its installation is `uninstalling` (`markStoreLive`);
 *   every charge without a refund is refunded, the resource is deleted at the provider (by id, or
 *   found by name; what fails is recorded in `provider_cleanups` and retried), then the row goes.
 *
 * Replica safety: a row is claimed by a compare-and-swap UPDATE of `recovery_attempts` before any
 * work, and the claim holds it until `recovery_claimed_until`, so when several replicas run this
 * at once each row is handled by one. The claim's end is also the row's next try after a failure
 * that left it as it was (the database or the processor erring): the backoff doubles from the
 * grace period with each attempt, until the deadline turns the next try into an undo.
 *
 * Resuming relies on the provider honouring Idempotency-Key (partner-api.md), as the reference
 * partner does; one that does not could make a second resource, which nothing here can tell.
 */

export interface RecoverySettings {
  /** A row is taken for abandoned when untouched this long; above any live create's duration. */
  readonly graceMs: number;
  /** Since creation: a row this old is undone rather than finished. */
  readonly deadlineMs: number;
  /** Most rows handled in one pass; default 20. */
  readonly limit?: number;
}

/** How one claimed row ended in this pass. */
export type RecoveryOutcome = 'resumed' | 'undone' | 'retry-later';

export interface RecoveryResult {
  /** Store id → outcome, for the rows this process claimed. */
  readonly outcomes: ReadonlyMap<string, RecoveryOutcome>;
}

/** The longest a failing row waits between tries, whatever the grace period. */
const MAX_BACKOFF_MS = 6 * 60 * 60 * 1000;

/** One pass: claims and recovers the abandoned rows that are due, at most `limit` of them. */
export async function recoverStuckStores(ctx: AppContext, settings: RecoverySettings): Promise<RecoveryResult> {
  const now = ctx.now();
  const due = await listRecoverableStores(ctx.db, now, now - settings.graceMs, settings.limit ?? 20);
  const outcomes = new Map<string, RecoveryOutcome>();
  for (const row of due) {
    if (!(await claim(ctx, row, settings.graceMs))) continue; // another replica holds it
    let outcome: RecoveryOutcome;
    try {
      outcome = await recoverClaimed(ctx, row, settings);
    } catch (error) {
      // Nothing was given up on: the row stays as it was and is tried again when the claim ends.
      outcome = 'retry-later';
      await recordRecoveryError(ctx.db, row.id, describe(error));
    }
    outcomes.set(row.id, outcome);
    const log = outcome === 'retry-later' ? ctx.logger.warn.bind(ctx.logger) : ctx.logger.info.bind(ctx.logger);
    log({ store: row.id, outcome, attempt: row.recovery_attempts + 1 }, 'store recovery');
  }
  return { outcomes };
}

/**
 * Claims a row for this replica (`claimForRecovery`), held for a backoff that doubles with each
 * attempt: the claim's end doubles as the row's next try.
 */
async function claim(ctx: AppContext, row: RecoveryRow, graceMs: number): Promise<boolean> {
  const attempts = row.recovery_attempts + 1;
  const holdMs = Math.min(MAX_BACKOFF_MS, Math.max(graceMs, graceMs * 2 ** (attempts - 1)));
  return claimForRecovery(ctx.db, row, ctx.now() + holdMs);
}

async function recoverClaimed(ctx: AppContext, row: RecoveryRow, settings: RecoverySettings): Promise<RecoveryOutcome> {
  const store = storeFromRow(row);
  if (ctx.now() - store.createdAt >= settings.deadlineMs) {
    await undo(ctx, store, 'the store could not be finished before the recovery deadline');
    return 'undone';
  }
  const resumable = await loadResumable(ctx, store);
  if ('refusal' in resumable) {
    await undo(ctx, store, resumable.refusal);
    return 'undone';
  }

  let gaveUp = false;
  const base = createStorePorts(ctx, resumable.actor);
  const product = base.findProduct(store.integrationId, store.productId);
  if (!product) {
    await undo(ctx, store, `the product ${store.productId} is no longer in the catalog`);
    return 'undone';
  }
  // Team-owned methods pay through their processor source, which these ports learn here.
  await base.paymentMethodsOf(store.teamId);
  const ports: CreateStorePorts<CatalogStoreProduct> = {
    ...base,
    // When payAndProvision gives up it drops the row; recovery keeps the row until `undo` has
    // refunded and cleaned up, because the row holds the store's name, and a resource found by
    // name at the provider must not be confused with one of a new store of that name.
    deleteProvisioning: async () => {
      gaveUp = true;
    },
    cleanUpAtProvider: async () => undefined,
  };
  try {
    await payAndProvision(ports, store, resumable.installation, product, store.payment ?? { kind: 'none' });
    return 'resumed';
  } catch (error) {
    // Not given up (an error escaped a step): leave the row for the next try.
    if (!gaveUp) throw error;
    await undo(ctx, store, isApiError(error) ? error.message : 'provisioning failed');
    return 'undone';
  }
}

/**
 * What resuming needs, or why the store cannot be resumed. The provider sees the creating user
 * (partner-api.md user claims), so the user must still be a member allowed to create stores
 * (docs/rules.md §1.3); finishing a store on behalf of someone who may no longer make one would
 * be wrong, so such a store is undone instead.
 */
async function loadResumable(
  ctx: AppContext,
  store: Store,
): Promise<{ installation: Installation; actor: { user: User; membership: Membership } } | { refusal: string }> {
  const installation = await findLiveInstallation(ctx.db, store.teamId, store.installationId);
  if (!installation || installation.status !== 'ready') return { refusal: `the installation ${store.installationId} is gone` };
  if (!ctx.catalog.findIntegration(store.integrationId)) return { refusal: `the integration ${store.integrationId} is no longer in the catalog` };
  const user = await findUserById(ctx.db, store.createdBy);
  const membership = user ? await findMembership(ctx.db, store.teamId, user.id) : undefined;
  if (!user || !membership || !canWrite(membership.role)) return { refusal: `its creator ${store.createdBy} may no longer create stores in team ${store.teamId}` };
  return { installation, actor: { user, membership } };
}

/**
 * Ends a store that will not be finished: refunds, deletes at the provider, drops the row, in
 * that order, each step idempotent so an undo cut short is simply run again.
 */
async function undo(ctx: AppContext, original: Store, reason: string): Promise<void> {
  // Re-read: the attempt that failed may have recorded the provider's resource id.
  const row = await findStoreRow(ctx.db, original.id);
  if (!row || row.lifecycle !== 'provisioning') return;
  const store = storeFromRow(row);
  await refundCharges(ctx, store, reason);
  const integration = ctx.catalog.findIntegration(store.integrationId);
  if (integration) {
    await cleanUpAtProvider(ctx, {
      storeId: store.id,
      teamId: store.teamId,
      installationId: store.installationId,
      integration,
      storeName: store.name,
      ...(store.externalResourceId ? { resourceId: store.externalResourceId } : {}),
    });
  } else {
    ctx.logger.error({ store: store.id, integration: store.integrationId }, 'store recovery: the integration left the catalog; its provider cannot be asked to delete the resource');
  }
  await deleteProvisioningStore(ctx.db, store.id);
  ctx.logger.warn({ store: store.id, reason }, 'store recovery: undone');
}

/**
 * Refunds every charge of the store that has no refund yet. The keys are the create path's own
 * (`${storeId}:refund:${step}` for the charge `${storeId}:charge:${step}`), so a refund the
 * create already made is found, not repeated.
 */
async function refundCharges(ctx: AppContext, store: Store, reason: string): Promise<void> {
  const entries = await listLedgerRowsOfStore(ctx.db, store.id);
  const refunded = new Set(entries.filter((e) => e.kind === 'refund').map((e) => e.operation_key));
  for (const charge of entries.filter((e) => e.kind === 'charge')) {
    const step = charge.operation_key.slice(`${store.id}:charge:`.length);
    const operationKey = `${store.id}:refund:${step}`;
    if (refunded.has(operationKey) || !charge.reference) continue;
    const { reference } = await ctx.payments.refund({ chargeReference: charge.reference, amountCents: charge.amount_cents, idempotencyKey: operationKey });
    // A prepayment's invoice becomes `refunded` with the refund's row (docs/invoices.md).
    await recordStoreRefund(ctx, store.id, step, {
      teamId: store.teamId,
      storeId: store.id,
      kind: 'refund',
      amountCents: charge.amount_cents,
      billingPlanId: store.billingPlan.id,
      reference,
      operationKey,
      memo: `refund of ${charge.reference}: ${reason}`,
      createdAt: ctx.now(),
    });
  }
}

/**
 * Runs a recovery pass now and then every `intervalMs` until the returned function is called,
 * together with the retries of recorded provider cleanups (`runDueCleanups`), the other half of
 * orphan mitigation that must survive a restart. A pass never overlaps the previous one in this
 * process; across replicas the row claims keep them apart. Errors are logged and the loop goes on.
 */
export function startStoreRecovery(ctx: AppContext, settings: RecoverySettings & { readonly intervalMs: number }): () => Promise<void> {
  const pass = async () => {
    try {
      await recoverStuckStores(ctx, settings);
      await runDueCleanups(ctx);
      // Invoices whose issuer or refunder stopped part-way (docs/invoices.md, "Crashes").
      await settleStalledInvoices(ctx, { holdMs: settings.graceMs });
    } catch (error) {
      ctx.logger.error({ err: describe(error) }, 'store recovery pass failed');
    }
  };
  return startLoop(pass, settings.intervalMs, { runAtOnce: true });
}

function describe(error: unknown): string {
  if (isProviderError(error)) return error.message;
  return error instanceof Error ? error.message : String(error);
}
