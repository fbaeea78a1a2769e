import type { Kysely } from 'kysely';
import { isUniqueViolation } from '../../db/errors.js';
import { lockedForUpdate } from '../../db/row-locks.js';
import { PartnerError } from './errors.js';
import type { Answer, IdempotencyScope } from './idempotency.js';
import { credentialContext, openCredential } from './credentials.js';
import { activateCredential, findCredentialByKey, highestGeneration, insertCredential, listCredentials, type StoredCredential } from './credential-store.js';
import { newCredentialId, newPassword } from './identifiers.js';
import type { KitContext } from './options.js';
import type { RotationRequest } from './partner-api.js';
import { findKitPlan, findKitProduct } from './products.js';
import { findResource, type StoredResource } from './resource-store.js';
import { revokeDueCredentials } from './revocation-job.js';
import { serverFailure } from './server-failure.js';
import type { KitTables } from './tables.js';

/** A pending rotation older than this was abandoned (its request died); a new one may replace it. */
const ABANDONED_AFTER_MS = 5 * 60 * 1000;

/**
 * Rotates synchronously (`sync: true`): a new credential is added beside the current one, becomes
 * the active one, and the old one is revoked `delayOldSecretsExpirationHours` later by the
 * revocation job (at once for 0). The new credential is written `pending` before the server is
 * touched, so a retry with the same Idempotency-Key finishes the same rotation rather than
 * making a second password.
 */
export async function rotateSecrets(
  ctx: KitContext,
  installationId: string,
  resourceId: string,
  request: RotationRequest,
  scope: IdempotencyScope | null,
): Promise<{ answer: Answer; replayed: boolean }> {
  const resource = await findResource(ctx.db, installationId, resourceId);
  if (!resource || resource.state === 'deleting' || resource.state === 'deleted') {
    throw new PartnerError('not_found', `Resource ${resourceId} was not found in installation ${installationId}.`);
  }
  if (resource.state !== 'ready') throw new PartnerError('conflict', `Resource ${resourceId} is still being provisioned; rotate it once it is ready.`);
  const limits = findKitPlan(findKitProduct(ctx.products, resource.productId), resource.billingPlanId).limits;

  const { credential, replayed } = await claimRotation(ctx, resource, scope);
  if (credential.state === 'revoked') {
    throw new PartnerError('conflict', `The rotation with Idempotency-Key "${scope?.key}" was superseded and its credential revoked.`);
  }
  const opened = openCredential(ctx, credential);
  if (credential.state === 'pending') {
    try {
      await ctx.backend.addCredential(resource, opened, limits);
    } catch (error) {
      throw serverFailure(ctx, 'rotate the secrets of', resource.id, error);
    }
    const now = ctx.now();
    const delayMs = Math.round((request.delayOldSecretsExpirationHours ?? 0) * 3_600_000);
    await ctx.db.transaction().execute((trx) => activateCredential(trx, resource.id, credential.id, now + delayMs, now));
    // No delay: revoke now rather than at the job's next pass. A failure here is left to the job.
    if (delayMs === 0) await revokeDueCredentials(ctx, { resourceId: resource.id });
  }
  return { answer: { statusCode: 200, body: { sync: true, secrets: ctx.backend.secrets(resource, opened), partial: false } }, replayed };
}

/** The credential this rotation stands for: found by its Idempotency-Key, or written `pending`. */
async function claimRotation(ctx: KitContext, resource: StoredResource, scope: IdempotencyScope | null): Promise<{ credential: StoredCredential; replayed: boolean }> {
  for (let attempt = 0; attempt < 5; attempt++) {
    const existing = scope && (await findCredentialByKey(ctx.db, resource.id, scope.key));
    if (existing) {
      if (existing.fingerprint !== scope.fingerprint) {
        throw new PartnerError('idempotency_key_reused', `The Idempotency-Key "${scope.key}" was already used with a different request.`);
      }
      return { credential: existing, replayed: true };
    }
    try {
      return { credential: await insertPending(ctx, resource, scope), replayed: false };
    } catch (error) {
      // A concurrent rotation took the same generation, or a retry the same key: look again.
      if (!isUniqueViolation(error)) throw error;
    }
  }
  throw new PartnerError('conflict', `Resource ${resource.id} is being rotated by other requests; retry shortly.`);
}

/**
 * One rotation at a time per resource: with two in flight, the caller could end up holding the
 * credential that the other rotation then retires. An abandoned pending rotation is retired (the
 * job revokes whatever of it reached the server) instead of blocking the resource forever.
 */
async function insertPending(ctx: KitContext, resource: StoredResource, scope: IdempotencyScope | null): Promise<StoredCredential> {
  return ctx.db.transaction().execute(async (trx: Kysely<KitTables>) => {
    const now = ctx.now();
    await lockedForUpdate(trx.selectFrom('resources').select('id').where('id', '=', resource.id), ctx.dialect).execute();
    for (const pending of await listCredentials(trx, resource.id, ['pending'])) {
      if (pending.createdAt > now - ABANDONED_AFTER_MS) {
        throw new PartnerError('conflict', `Resource ${resource.id} is being rotated by another request; retry shortly.`);
      }
      await trx.updateTable('credentials').set({ state: 'expiring', revoke_at: now, updated_at: now }).where('id', '=', pending.id).where('state', '=', 'pending').execute();
    }
    const generation = (await highestGeneration(trx, resource.id)) + 1;
    const credential: StoredCredential = {
      id: newCredentialId(),
      resourceId: resource.id,
      generation,
      login: ctx.backend.loginFor(resource.handle, generation),
      passwordSealed: ctx.secretBox.seal(newPassword(), credentialContext(resource.id, generation)),
      state: 'pending',
      idempotencyKey: scope?.key ?? null,
      fingerprint: scope?.fingerprint ?? null,
      revokeAt: null,
      createdAt: now,
    };
    await insertCredential(trx, credential, now);
    return credential;
  });
}
