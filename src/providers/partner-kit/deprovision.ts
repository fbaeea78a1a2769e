import type { Kysely } from 'kysely';
import { revokeAllCredentials } from './credential-store.js';
import type { KitContext } from './options.js';
import { findResource, listResources, moveResource, type StoredResource } from './resource-store.js';
import { serverFailure } from './server-failure.js';
import type { KitTables } from './tables.js';

/**
 * Deletes a resource for real: the row is marked `deleting` first, the server objects are removed
 * (idempotently), then the row is `deleted` and its passwords wiped. Deleting an unknown or
 * deleted resource succeeds, and a delete that failed half-way is finished by the next one, so
 * Stockroom can retry it after a timeout.
 */
export async function deleteResource(ctx: KitContext, installationId: string, resourceId: string): Promise<void> {
  const resource = await findResource(ctx.db, installationId, resourceId);
  if (!resource || resource.state === 'deleted') return;
  await moveResource(ctx.db, resource.id, ['provisioning', 'ready', 'deleting'], 'deleting', ctx.now());
  await destroyOnServer(ctx, resource);
  await ctx.db.transaction().execute(async (trx: Kysely<KitTables>) => {
    const now = ctx.now();
    await moveResource(trx, resource.id, ['deleting'], 'deleted', now);
    await revokeAllCredentials(trx, resource.id, now);
  });
}

/** Deletes every resource the installation still has (Delete Installation with cascade). */
export async function deleteInstallationResources(ctx: KitContext, installationId: string): Promise<void> {
  for (const resource of await listResources(ctx.db, installationId, ['provisioning', 'ready', 'deleting'])) {
    await deleteResource(ctx, installationId, resource.id);
  }
}

/** Removes the resource's objects from the server; every login it ever had goes with it. */
export async function destroyOnServer(ctx: KitContext, resource: StoredResource): Promise<void> {
  const rows = await ctx.db.selectFrom('credentials').select('login').where('resource_id', '=', resource.id).execute();
  const logins = [...new Set(rows.map((r) => r.login))];
  try {
    await ctx.backend.destroy(resource, logins);
  } catch (error) {
    throw serverFailure(ctx, 'delete', resource.id, error);
  }
}
