import type { Kysely, Selectable } from 'kysely';
import type { DB, StoresTable } from '../db/schema.js';
import { claimForStatusCheck, listLiveStoresWaiting, markStoreErrorIfUnchanged } from '../db/store-status-polls.js';
import { mapResourceStatus, toExternalResourceStatus, type StoreStatus } from '../domain/store-status.js';
import type { Notification } from '../domain/stores.js';
import type { AppContext } from '../app-context.js';
import type { Resource } from '../providers/partner-client.js';
import { isProviderError } from '../providers/provider-error.js';
import { applyResource, fetchResource } from '../use-cases/store-resource.js';
import { startLoop } from '../background-loop.js';

/**
 * Brings `initializing` (and `onboarding`) stores up to date with their provider (docs/rules.md §6):
 * a provider that answered `pending` never tells Stockroom it finished unless it sends
 * `resource.updated`, so Stockroom also asks, until the store is ready or a deadline passes.
 *
 * Replica safety: several Stockroom processes may run this loop over one database. A row is
 * claimed by a conditional UPDATE of its `updated_at` (compare-and-swap on the value just read);
 * only the replica whose UPDATE touched the row calls the provider. The claim doubles as the
 * "last checked" time, so no extra column is needed and a claimed row is not due again for
 * `recheckAfterMs` on any replica.
 */

/** Statuses that are waiting on the provider, and so are polled. */
const WAITING: readonly StoreStatus[] = ['initializing', 'onboarding'];

/** A store still `initializing` this long after its creation is given up on (`error`). */
export const DEFAULT_PROVISIONING_DEADLINE_MS = 30 * 60 * 1000;

export interface RefreshOptions {
  /** Most stores checked in one pass, so one pass stays short whatever the backlog. */
  readonly limit: number;
  /** A store is due when it was last checked (or changed) at least this long ago; default 1000 ms. */
  readonly recheckAfterMs?: number;
  /** Since creation; default 30 min. Only `initializing` expires: `onboarding` waits on the user. */
  readonly deadlineMs?: number;
}

export interface RefreshResult {
  /** Stores this process claimed and checked. */
  readonly checked: number;
  /** Stores whose status changed (including those given up on). */
  readonly changed: number;
}

/** One pass: checks the due waiting stores, at most `limit` of them. */
export async function refreshInitializingStores(ctx: AppContext, options: RefreshOptions): Promise<RefreshResult> {
  const now = ctx.now();
  const recheckAfterMs = options.recheckAfterMs ?? 1000;
  const deadlineMs = options.deadlineMs ?? DEFAULT_PROVISIONING_DEADLINE_MS;
  // One query per waiting status, each an equality the (lifecycle, status, updated_at) index
  // answers in order: with `status IN (…)` SQLite preferred the (lifecycle, updated_at) index,
  // which reads every live store (issue 7). Merged oldest first, as one query would give them.
  const perStatus = await Promise.all(WAITING.map((status) => listLiveStoresWaiting(ctx.db, status, now - recheckAfterMs, options.limit)));
  const due = perStatus
    .flat()
    .sort((a, b) => a.updated_at - b.updated_at)
    .slice(0, options.limit);
  let checked = 0;
  let changed = 0;
  for (const row of due) {
    const claimedAt = await claim(ctx.db, row, ctx.now());
    if (claimedAt === undefined) continue; // another replica (or an event) got there first
    checked += 1;
    if (await checkClaimed(ctx, row, claimedAt, deadlineMs)) changed += 1;
  }
  return { checked, changed };
}

/**
 * Claims a row by moving its `updated_at` from the value read to `now`. Returns the new value
 * when this process won the row. `now` is bumped past the old value so that two claims in the
 * same millisecond cannot both match.
 */
async function claim(db: Kysely<DB>, row: Selectable<StoresTable>, now: number): Promise<number | undefined> {
  const claimedAt = Math.max(now, row.updated_at + 1);
  return (await claimForStatusCheck(db, row, claimedAt)) ? claimedAt : undefined;
}

/** Asks the provider about one claimed store and records the answer; true when the status changed. */
async function checkClaimed(ctx: AppContext, row: Selectable<StoresTable>, claimedAt: number, deadlineMs: number): Promise<boolean> {
  const expired = row.status === 'initializing' && ctx.now() - row.created_at >= deadlineMs;
  let resource: Resource | undefined;
  try {
    resource = await fetchResource(ctx, row);
  } catch (error) {
    // Logged by kind and status only: a provider's error body is not ours to echo.
    ctx.logger.warn({ store: row.id, err: isProviderError(error) ? error.message : String(error) }, 'store status check failed');
  }
  if (resource && mapResourceStatus(resource.status) !== 'initializing') {
    return applyResource(ctx.db, row, resource, ctx.now(), { updatedAt: claimedAt });
  }
  if (!expired) {
    // Still pending (or unreachable): keep what we know, but a fresher notification is worth keeping.
    if (resource) await applyResource(ctx.db, row, resource, claimedAt, { updatedAt: claimedAt });
    return false;
  }
  const minutes = Math.round(deadlineMs / 60000);
  const gaveUp = await markStoreErrorIfUnchanged(
    ctx.db,
    row.id,
    {
      ...(resource ? { externalResourceStatus: toExternalResourceStatus(resource.status) } : {}),
      notification: JSON.stringify({
        level: 'error',
        title: 'Provisioning timed out',
        message: `The provider did not report the store ready within ${minutes} minutes of its creation.`,
      } satisfies Notification),
      updatedAt: Math.max(ctx.now(), claimedAt),
    },
    claimedAt,
  );
  if (gaveUp) ctx.logger.warn({ store: row.id }, 'store provisioning deadline passed; status set to error');
  return gaveUp;
}

/**
 * Runs `refreshInitializingStores` every `intervalMs` until the returned function is called. A
 * pass never overlaps the previous one in this process (the next is scheduled when one ends);
 * across replicas the row claims keep passes apart. Errors are logged and the loop goes on.
 */
export function startStatusPoller(ctx: AppContext, intervalMs: number, options: Partial<RefreshOptions> = {}): () => Promise<void> {
  const pass = async () => {
    try {
      // Half the interval, so timer jitter cannot make a store skip every other pass.
      await refreshInitializingStores(ctx, { limit: 50, recheckAfterMs: Math.max(1, Math.floor(intervalMs / 2)), ...options });
    } catch (error) {
      ctx.logger.error({ err: error instanceof Error ? error.message : String(error) }, 'store status poll failed');
    }
  };
  return startLoop(pass, intervalMs, { runAtOnce: false });
}
