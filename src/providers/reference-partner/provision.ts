import { PartnerError, validationError } from '../partner-kit/errors.js';
import { assertFreePlanOffered, isFreeQuotaCounted } from './free-quota.js';
import type { ProvisionHooks } from './hooks.js';
import { FREE_PLAN_ID, type BillingPlan } from '../partner-kit/billing-plan.js';
import type { Answer, IdempotencyScope } from '../partner-kit/idempotency.js';
import { newResourceId } from '../partner-kit/identifiers.js';
import type { ProvisionRequest } from '../partner-kit/partner-api.js';
import { answerOnce } from './idempotency.js';
import { lockLiveInstallation } from './installation-store.js';
import { validateMetadata } from './metadata.js';
import type { PartnerContext } from './options.js';
import { productPlans } from './plans.js';
import { findProduct, REFERENCE_PRODUCTS, type ReferenceProduct } from './products.js';
import { insertResource, type StoredResource } from './resource-store.js';
import { presentResource } from './resource-view.js';
import { generateSecrets } from './secrets.js';

/**
 * Provisions a virtual resource: hooks first, then product, plan and metadata checks, then one
 * transaction that checks the installation and the free-plan quota, stores the resource with
 * its secrets and records the idempotency key.
 */
export async function provisionResource(
  ctx: PartnerContext,
  installationId: string,
  request: ProvisionRequest,
  hooks: ProvisionHooks,
  scope: IdempotencyScope | null,
): Promise<{ answer: Answer; replayed: boolean }> {
  assertNoFailureHook(hooks, request.name);
  const product = findKnownProduct(request.productId);
  const plan = findPlan(product, request.billingPlanId, request.metadata);
  const fields = validateMetadata(product.metadataSchema, request.metadata);
  if (fields.length > 0) throw validationError(fields, `Invalid metadata for ${product.slug}: ${fields.map((f) => f.message).join('; ')}.`);

  return answerOnce(ctx, scope, async (trx) => {
    // Only a counted free quota needs creates of the installation to take turns.
    const counted = plan.id === FREE_PLAN_ID && isFreeQuotaCounted(ctx);
    if (!(await lockLiveInstallation(trx, ctx.dialect, installationId, counted ? 'exclusive' : 'shared'))) throw notInstalled(installationId);
    if (counted) await assertFreePlanOffered(ctx, trx, installationId);
    const now = ctx.now();
    const id = newResourceId();
    const secrets = generateSecrets(product, id, request.metadata);
    const resource: StoredResource = {
      id,
      installationId,
      productId: product.slug,
      name: request.name,
      metadata: request.metadata,
      billingPlanId: plan.id,
      externalId: request.externalId ?? null,
      status: hooks.initialStatus,
      readyAt: hooks.readyAfterMs === null ? null : now + hooks.readyAfterMs,
      secrets,
      createdAt: now,
      updatedAt: now,
    };
    await insertResource(trx, ctx.secretBox, resource);
    // fail-malformed: the resource is stored like any other, only the answer is broken.
    const body = hooks.malformedAnswer ? { ok: true } : { ...presentResource(resource, now), secrets };
    return { statusCode: 200, body };
  });
}

export function findKnownProduct(productId: string): ReferenceProduct {
  const product = findProduct(productId);
  if (product) return product;
  const offered = REFERENCE_PRODUCTS.map((p) => p.slug).join(', ');
  throw validationError([{ key: 'productId', message: `unknown product "${productId}"; this partner offers ${offered}` }]);
}

/** The product's plan with this id. Unknown ids are a 400 naming the field (Vercel's example answers 500). */
export function findPlan(product: ReferenceProduct, planId: string, metadata: Readonly<Record<string, unknown>>): BillingPlan {
  const plans = productPlans(product, metadata);
  const plan = plans.find((p) => p.id === planId);
  if (plan) return plan;
  const offered = plans.map((p) => p.id).join(', ');
  throw validationError([{ key: 'billingPlanId', message: `unknown billing plan "${planId}" for ${product.slug}; choose one of ${offered}` }]);
}

function notInstalled(installationId: string): PartnerError {
  return new PartnerError('not_found', `Installation ${installationId} is not installed; upsert it first (PUT /v1/installations/${installationId}).`);
}

function assertNoFailureHook(hooks: ProvisionHooks, name: string): void {
  switch (hooks.failure) {
    case 'validation':
      throw validationError(
        [{ key: 'region', message: `test hook fail-validation: the region is not available for "${name}"` }],
        'Test hook fail-validation: the partner rejected the metadata.',
      );
    case 'conflict':
      throw new PartnerError('conflict', `Test hook fail-conflict: a resource named "${name}" already exists at the partner.`);
    case 'server':
      throw new PartnerError('internal_server_error', 'Test hook fail-500: the partner failed to provision the resource.');
    case null:
      return;
  }
}
