import { PartnerError, validationError } from '../partner-kit/errors.js';
import { assertFreePlanOffered } from './free-quota.js';
import { failsOnDelete } from './hooks.js';
import type { Answer, IdempotencyScope } from '../partner-kit/idempotency.js';
import type { ResourceUpdate, RotationRequest } from '../partner-kit/partner-api.js';
import type { ResourceWire } from '../partner-kit/resource-wire.js';
import type { Secret } from '../partner-kit/secret.js';
import { answerOnce } from './idempotency.js';
import { lockLiveInstallation } from './installation-store.js';
import { validateMetadata } from './metadata.js';
import type { PartnerContext } from './options.js';
import { FREE_PLAN_ID } from '../partner-kit/billing-plan.js';
import { findKnownProduct, findPlan } from './provision.js';
import { findLiveResource, markResourceDeleted, replaceSecrets, updateResource, type StoredResource } from './resource-store.js';
import { presentResource } from './resource-view.js';
import { markSecretsPushDue } from './secret-push-store.js';
import { generateSecrets } from './secrets.js';

export async function getResource(ctx: PartnerContext, installationId: string, resourceId: string): Promise<StoredResource> {
  const resource = await findLiveResource(ctx.db, ctx.secretBox, installationId, resourceId);
  if (!resource) throw new PartnerError('not_found', `Resource ${resourceId} was not found in installation ${installationId}.`);
  return resource;
}

/**
 * Changes a resource. New metadata replaces the old and is checked against the product's schema;
 * moving to the free plan counts against the free-plan quota like a new resource does.
 */
export async function changeResource(ctx: PartnerContext, installationId: string, resourceId: string, update: ResourceUpdate): Promise<ResourceWire> {
  const current = await getResource(ctx, installationId, resourceId);
  const product = findKnownProduct(current.productId);
  const metadata = update.metadata ?? current.metadata;
  if (update.metadata !== undefined) {
    const fields = validateMetadata(product.metadataSchema, metadata);
    if (fields.length > 0) throw validationError(fields);
  }
  const plan = update.billingPlanId === undefined ? undefined : findPlan(product, update.billingPlanId, metadata);
  const joinsFreePlan = plan?.id === FREE_PLAN_ID && current.billingPlanId !== FREE_PLAN_ID;

  await ctx.db.transaction().execute(async (trx) => {
    if (joinsFreePlan) {
      await lockLiveInstallation(trx, ctx.dialect, installationId);
      await assertFreePlanOffered(ctx, trx, installationId);
    }
    await updateResource(trx, installationId, resourceId, { ...update, billingPlanId: plan?.id }, ctx.now());
  });
  return presentResource(await getResource(ctx, installationId, resourceId), ctx.now());
}

/** Deletes a resource; deleting an unknown or deleted one succeeds too, so retries are safe. */
export async function deleteResource(ctx: PartnerContext, installationId: string, resourceId: string): Promise<void> {
  const resource = await findLiveResource(ctx.db, ctx.secretBox, installationId, resourceId);
  if (!resource) return;
  if (failsOnDelete(resource.name)) {
    throw new PartnerError('internal_server_error', `Test hook fail-delete: the partner failed to delete ${resourceId}.`);
  }
  await markResourceDeleted(ctx.db, installationId, resourceId, ctx.now());
}

/**
 * Rotates. Synchronously (the default): new values are made, stored and returned at once
 * (`sync: true`), so no callback is needed. Asynchronously (`rotation: 'async'`): they are made
 * and stored the same way with their push marked due, the answer is 202 `{sync:false}`, and
 * `secret-pushes.ts` sends them to Update Resource Secrets right after. Honouring
 * `Idempotency-Key` matters here more than anywhere: a retried rotation must not make a second
 * set of values (its replay answers the same 202, and pushes nothing more).
 */
export async function rotateSecrets(
  ctx: PartnerContext,
  installationId: string,
  resourceId: string,
  request: RotationRequest,
  scope: IdempotencyScope | null,
): Promise<{ answer: Answer; replayed: boolean }> {
  const resource = await getResource(ctx, installationId, resourceId);
  const product = findKnownProduct(resource.productId);
  const rotated = await answerOnce(ctx, scope, async (trx) => {
    const now = ctx.now();
    const secrets: Secret[] = generateSecrets(product, resource.id, resource.metadata);
    // Virtual secrets guard nothing, so the old ones' expiry is only recorded, not enforced.
    const previousExpireAt = now + Math.round((request.delayOldSecretsExpirationHours ?? 0) * 3_600_000);
    await replaceSecrets(trx, ctx.secretBox, installationId, resourceId, secrets, previousExpireAt, now);
    if (ctx.rotation === 'sync') return { statusCode: 200, body: { sync: true, secrets, partial: false } };
    await markSecretsPushDue(trx, installationId, resourceId, now);
    return { statusCode: 202, body: { sync: false } };
  });
  if (ctx.rotation === 'async' && !rotated.replayed) ctx.secretsRotated();
  return rotated;
}
