import type { CatalogIntegration } from '../catalog/catalog.js';
import { claimCleanup, listDueCleanups, markCleanupDone, recordCleanup, recordCleanupError } from '../db/provider-cleanups.js';
import { listExternalResourceIdsOfInstallation } from '../db/store-reads.js';
import { newId } from '../domain/ids.js';
import type { AppContext } from '../app-context.js';
import { isProviderError } from '../providers/provider-error.js';
import { providerFor } from '../providers/provider-for.js';

export interface CleanupTarget {
  readonly storeId: string;
  readonly teamId: string;
  readonly installationId: string;
  readonly integration: CatalogIntegration;
  readonly storeName: string;
  readonly resourceId?: string;
}

/**
 * Deletes at the provider what it may have made for a failed store (docs/rules.md §6). By id when
 * the id reached Stockroom; otherwise by finding the store's name among the installation's
 * resources. What cannot be done now is recorded in `provider_cleanups` and retried by
 * `runDueCleanups`, at start and periodically, so the work survives a restart.
 * Returns true when the provider holds nothing for the store any more.
 */
export async function cleanUpAtProvider(ctx: AppContext, target: CleanupTarget): Promise<boolean> {
  try {
    await deleteAtProvider(ctx, target, target.resourceId);
    return true;
  } catch (error) {
    const now = ctx.now();
    ctx.logger.warn({ store: target.storeId, err: describe(error) }, 'provider cleanup failed; recorded for retry');
    await recordCleanup(ctx.db, {
      id: newId('cln'),
      storeId: target.storeId,
      teamId: target.teamId,
      installationId: target.installationId,
      integrationId: target.integration.id,
      storeName: target.storeName,
      resourceId: target.resourceId ?? null,
      nextAttemptAt: now + 5_000,
      lastError: describe(error),
      now,
    });
    return false;
  }
}

async function deleteAtProvider(ctx: AppContext, target: CleanupTarget, knownId: string | undefined): Promise<void> {
  const provider = providerFor(ctx.partners, ctx.providerBaseUrl, target.integration);
  const caller = { accountId: target.teamId };
  let ids: string[];
  if (knownId) {
    ids = [knownId];
  } else {
    // The live store with the same name (if one exists now) is not ours to delete.
    const resources = await provider.listResources(target.installationId, caller);
    const liveExternalIds = new Set(await listExternalResourceIdsOfInstallation(ctx.db, target.installationId));
    ids = resources.filter((r) => r.name === target.storeName && !liveExternalIds.has(r.id)).map((r) => r.id);
  }
  for (const id of ids) {
    try {
      await provider.deleteResource(target.installationId, id, caller, { idempotencyKey: `cleanup-${target.storeId}-${id}` });
    } catch (error) {
      // Already gone is what we wanted.
      if (!(isProviderError(error) && error.kind === 'not_found')) throw error;
    }
  }
}

/** Retries recorded cleanups that are due, with exponential backoff, up to a deadline. */
export async function runDueCleanups(ctx: AppContext, limit = 20): Promise<number> {
  const now = ctx.now();
  const due = await listDueCleanups(ctx.db, now, limit);
  let done = 0;
  for (const row of due) {
    const integration = ctx.catalog.findIntegration(row.integration_id);
    // Claim the row first: with replicas, only the one whose update matched does the work.
    const attempts = row.attempts + 1;
    const claimed = await claimCleanup(ctx.db, row, now + Math.min(3_600_000, 5_000 * 2 ** attempts));
    if (!claimed || !integration) continue;
    try {
      await deleteAtProvider(
        ctx,
        { storeId: row.store_id, teamId: row.team_id, installationId: row.installation_id, integration, storeName: row.store_name },
        row.resource_id ?? undefined,
      );
      await markCleanupDone(ctx.db, row.id, ctx.now());
      done += 1;
    } catch (error) {
      await recordCleanupError(ctx.db, row.id, describe(error));
    }
  }
  return done;
}

function describe(error: unknown): string {
  if (isProviderError(error)) return `${error.kind} ${error.status ?? ''} ${error.operation}`.trim();
  return error instanceof Error ? error.message : String(error);
}
