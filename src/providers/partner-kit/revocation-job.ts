import { startLoop } from '../../background-loop.js';
import { openCredential } from './credentials.js';
import { claimDueCredential, listDueCredentials, markCredentialRevoked } from './credential-store.js';
import type { KitContext } from './options.js';
import { findResourceById } from './resource-store.js';
import { describeFailure } from './server-failure.js';

/** How long a replica holds a claimed revocation before another may retry it. */
const LEASE_MS = 60_000;

/**
 * Revokes the credentials whose delay has run out. The due time is a column, so the schedule
 * survives restarts; several replicas may run this at once, and a row is revoked by the one whose
 * claim matched (`claimDueCredential`). A failure leaves the row to be retried after the lease.
 * Returns how many were revoked.
 */
export async function revokeDueCredentials(ctx: KitContext, options: { readonly limit?: number; readonly resourceId?: string } = {}): Promise<number> {
  const now = ctx.now();
  const due = await listDueCredentials(ctx.db, now, options.limit ?? 20, options.resourceId);
  let revoked = 0;
  for (const stored of due) {
    if (!(await claimDueCredential(ctx.db, stored, now + LEASE_MS, now))) continue;
    const resource = await findResourceById(ctx.db, stored.resourceId);
    try {
      // A deleted resource took its logins with it.
      if (resource && resource.state !== 'deleted') await ctx.backend.revokeCredential(resource, openCredential(ctx, stored));
      await markCredentialRevoked(ctx.db, stored.id, ctx.now());
      revoked += 1;
      ctx.log.info({ resource: stored.resourceId, generation: stored.generation }, `${ctx.backend.serverName} provider: old credential revoked`);
    } catch (error) {
      ctx.log.warn({ resource: stored.resourceId, generation: stored.generation, err: describeFailure(error) }, `${ctx.backend.serverName} provider: revocation failed; retrying later`);
    }
  }
  return revoked;
}

/**
 * Runs `revokeDueCredentials` every `intervalMs` (first after one interval) until the returned
 * function is called; a pass never overlaps the previous one in this process, and the timer does
 * not keep a process alive (`startLoop`).
 */
export function startRevocationLoop(ctx: KitContext, intervalMs: number): () => Promise<void> {
  const pass = async () => {
    try {
      await revokeDueCredentials(ctx);
    } catch (error) {
      ctx.log.error({ err: describeFailure(error) }, `${ctx.backend.serverName} provider: revocation pass failed`);
    }
  };
  return startLoop(pass, intervalMs, { runAtOnce: false });
}
