import { isUniqueViolation } from '../../db/errors.js';
import { PartnerError } from './errors.js';
import type { Answer, IdempotencyScope } from './idempotency.js';
import type { Credential, KitPlan } from './backend.js';
import type { ProvisionRequest } from './partner-api.js';
import { credentialContext, openCredential } from './credentials.js';
import { insertCredential, listCredentials } from './credential-store.js';
import { destroyOnServer } from './deprovision.js';
import { newCredentialId, newHandle, newPassword, newResourceId } from './identifiers.js';
import { lockLiveInstallation } from './installation-store.js';
import type { KitContext } from './options.js';
import { findKitPlan, findKitProduct } from './products.js';
import { findResource, findResourceByKey, insertResource, moveResource, type StoredResource } from './resource-store.js';
import { presentResource } from './resource-view.js';
import { serverFailure } from './server-failure.js';

/**
 * Provisions a real resource, safely repeatable. The resource row, with the names of its objects
 * and its first password (sealed), is written before the server is touched; the server work
 * converges on those names; only then is the row `ready`. So:
 * - the same Idempotency-Key again (Stockroom's retry after a timeout, even while the first
 *   request still runs) finds the row and finishes or replays it: one database, one user;
 * - a crash half-way leaves a `provisioning` row that a retry resumes, or that Stockroom's
 *   orphan cleanup finds by name (List Resources shows it) and deletes.
 */
export async function provisionResource(
  ctx: KitContext,
  installationId: string,
  request: ProvisionRequest,
  scope: IdempotencyScope | null,
): Promise<{ answer: Answer; replayed: boolean }> {
  const product = findKitProduct(ctx.products, request.productId);
  const plan = findKitPlan(product, request.billingPlanId);
  const { resource, replayed } = await claimResource(ctx, installationId, request, scope);
  if (resource.state === 'deleting' || resource.state === 'deleted') {
    throw new PartnerError('conflict', `The Idempotency-Key "${scope?.key}" provisioned resource ${resource.id}, which has been deleted since.`);
  }
  const [stored] = await listCredentials(ctx.db, resource.id, ['active']);
  if (!stored) throw new Error(`resource ${resource.id} has no active credential`);
  const credential = openCredential(ctx, stored);
  const ready = resource.state === 'provisioning' ? await finishProvisioning(ctx, resource, credential, plan) : resource;
  const body = { ...presentResource(ready, ctx.products), secrets: ctx.backend.secrets(ready, credential) };
  return { answer: { statusCode: 200, body }, replayed };
}

/** The resource this request (or its Idempotency-Key) stands for: found, or written `provisioning`. */
async function claimResource(
  ctx: KitContext,
  installationId: string,
  request: ProvisionRequest,
  scope: IdempotencyScope | null,
): Promise<{ resource: StoredResource; replayed: boolean }> {
  const existing = scope && (await findResourceByKey(ctx.db, installationId, scope.key));
  if (existing) return { resource: sameRequest(existing, scope), replayed: true };

  const now = ctx.now();
  const handle = newHandle();
  const resource: StoredResource = {
    id: newResourceId(),
    installationId,
    productId: request.productId,
    name: request.name,
    metadata: request.metadata,
    billingPlanId: request.billingPlanId,
    externalId: request.externalId ?? null,
    handle,
    state: 'provisioning',
    idempotencyKey: scope?.key ?? null,
    fingerprint: scope?.fingerprint ?? null,
    createdAt: now,
    updatedAt: now,
  };
  try {
    await ctx.db.transaction().execute(async (trx) => {
      if (!(await lockLiveInstallation(trx, ctx.dialect, installationId))) {
        throw new PartnerError('not_found', `Installation ${installationId} is not installed; upsert it first (PUT /v1/installations/${installationId}).`);
      }
      await insertResource(trx, resource);
      await insertCredential(
        trx,
        {
          id: newCredentialId(),
          resourceId: resource.id,
          generation: 1,
          login: ctx.backend.loginFor(handle, 1),
          passwordSealed: ctx.secretBox.seal(newPassword(), credentialContext(resource.id, 1)),
          state: 'active',
          idempotencyKey: null,
          fingerprint: null,
          revokeAt: null,
          createdAt: now,
        },
        now,
      );
    });
  } catch (error) {
    // A concurrent request with the same key (another replica, or a retry racing the original)
    // wrote its row first: this request becomes a replay of it.
    if (scope && isUniqueViolation(error)) {
      const winner = await findResourceByKey(ctx.db, installationId, scope.key);
      if (winner) return { resource: sameRequest(winner, scope), replayed: true };
    }
    throw error;
  }
  return { resource, replayed: false };
}

/** Refuses the same key with another request: replaying would hide the caller's mistake. */
function sameRequest(resource: StoredResource, scope: IdempotencyScope): StoredResource {
  if (resource.fingerprint !== scope.fingerprint) {
    throw new PartnerError('idempotency_key_reused', `The Idempotency-Key "${scope.key}" was already used with a different request.`);
  }
  return resource;
}

/**
 * Creates the objects on the server and marks the row ready. When a delete arrived meanwhile, the
 * delete wins: whatever this request created after the delete's own cleanup is removed again.
 */
async function finishProvisioning(ctx: KitContext, resource: StoredResource, credential: Credential, plan: KitPlan): Promise<StoredResource> {
  try {
    await ctx.backend.create(resource, credential, plan.limits);
  } catch (error) {
    throw serverFailure(ctx, 'create', resource.id, error);
  }
  if (await moveResource(ctx.db, resource.id, ['provisioning'], 'ready', ctx.now())) return { ...resource, state: 'ready' };
  const current = await findResource(ctx.db, resource.installationId, resource.id);
  if (current?.state === 'ready') return current;
  await destroyOnServer(ctx, resource);
  throw new PartnerError('not_found', `Resource ${resource.id} was deleted while it was being provisioned.`);
}
