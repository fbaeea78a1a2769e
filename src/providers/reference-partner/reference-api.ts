import { setTimeout as sleep } from 'node:timers/promises';
import { PartnerError, validationError } from '../partner-kit/errors.js';
import type { PartnerApi } from '../partner-kit/partner-api.js';
import { provisionPurchase } from './credit-purchases.js';
import { isFreePlanOffered } from './free-quota.js';
import { finalizationHook, readProvisionHooks } from './hooks.js';
import { liveResourceNames } from './billing-store.js';
import { findReplay } from './idempotency.js';
import { findFinalization, findLiveInstallation, markInstallationDeleted, setFinalization, setInstallationPlan, upsertInstallation } from './installation-store.js';
import type { PartnerContext } from './options.js';
import { FREE_PLAN_ID } from '../partner-kit/billing-plan.js';
import { findInstallationPlan, installationPlans, offeredPlans, productPlans } from './plans.js';
import { findProduct } from './products.js';
import { provisionResource } from './provision.js';
import { changeResource, deleteResource, getResource, rotateSecrets } from './resource-changes.js';
import { listLiveResources, markInstallationResourcesDeleted } from './resource-store.js';
import { presentResource } from './resource-view.js';

/** The partner API over the reference partner's virtual resources, kept in its `ref_partner_` tables. */
export function referencePartnerApi(ctx: PartnerContext): PartnerApi {
  return {
    async upsertInstallation(installationId, body) {
      const installation = {
        id: installationId,
        scopes: body.scopes,
        acceptedPolicies: body.acceptedPolicies,
        account: body.account,
        accessToken: body.credentials.access_token,
        tokenType: body.credentials.token_type,
      };
      await upsertInstallation(ctx.db, ctx.secretBox, installation, ctx.now());
    },
    isLiveInstallation: async (installationId) => (await findLiveInstallation(ctx.db, installationId)) !== undefined,
    // Final at once (monthly invoices are sent in advance, so none is owed), unless a hook
    // (`unfinalized`, `finalize-later`) says final invoices are still to come.
    async deleteInstallation(installationId, cascade) {
      const now = ctx.now();
      const hook = finalizationHook(await liveResourceNames(ctx.db, installationId));
      await ctx.db.transaction().execute(async (trx) => {
        const wasLive = await markInstallationDeleted(trx, installationId, now);
        if (wasLive && hook) await setFinalization(trx, installationId, hook);
        if (cascade) await markInstallationResourcesDeleted(trx, installationId, now);
      });
      // A repeated delete answers the same until the partner has finalized.
      const finalization = await findFinalization(ctx.db, installationId);
      return { finalized: finalization === null || finalization === 'done' };
    },

    // Installation-level plans only; a resource's plan is changed with Update Resource.
    async updateInstallation(installationId, { billingPlanId }) {
      const plan = findInstallationPlan(billingPlanId);
      if (!plan) {
        const offered = installationPlans().filter((p) => p.scope === 'installation').map((p) => p.id).join(', ');
        throw new PartnerError('validation_error', `Billing plan ${billingPlanId} is not an installation-level plan; those are ${offered}.`, [{ key: 'billingPlanId', message: 'not an installation-level plan' }]);
      }
      if (!(await setInstallationPlan(ctx.db, installationId, plan.id, ctx.now()))) throw new PartnerError('not_found', `Installation ${installationId} was not found.`);
      return { billingPlan: plan };
    },
    async installationPlan(installationId) {
      const planId = (await findLiveInstallation(ctx.db, installationId))?.billingPlanId;
      return (planId && findInstallationPlan(planId)) || null;
    },

    async productPlans(productSlug, metadataQuery, callerInstallationId) {
      const product = findProduct(productSlug);
      if (!product) throw new PartnerError('not_found', `Product ${productSlug} was not found.`);
      const metadata = parseMetadataQuery(metadataQuery);
      return offeredPlans(productPlans(product, metadata), await isFreePlanOffered(ctx, ctx.db, callerInstallationId));
    },
    installationPlans: async (installationId) => offeredPlans(installationPlans(), await isFreePlanOffered(ctx, ctx.db, installationId)),
    async resourcePlans(installationId, resourceId, metadataQuery) {
      const resource = await getResource(ctx, installationId, resourceId);
      const product = findProduct(resource.productId);
      if (!product) throw new PartnerError('not_found', `Product ${resource.productId} was not found.`);
      const metadata = metadataQuery === undefined ? resource.metadata : parseMetadataQuery(metadataQuery);
      // A resource already on the free plan keeps seeing it: it is its current plan.
      const freeOffered = resource.billingPlanId === FREE_PLAN_ID || (await isFreePlanOffered(ctx, ctx.db, installationId));
      return offeredPlans(productPlans(product, metadata), freeOffered);
    },

    async provisionResource(installationId, request, scope) {
      // A replay answers at once, even for `fail-slow`: the work was done the first time.
      const replay = scope && (await findReplay(ctx, scope));
      if (replay) return { answer: replay, replayed: true };
      const hooks = readProvisionHooks(request.name, request.metadata, ctx);
      try {
        return await provisionResource(ctx, installationId, request, hooks, scope);
      } finally {
        // `fail-slow` delays every answer, refusals included, as a slow partner would.
        if (hooks.answerDelayMs > 0) await pause(hooks.answerDelayMs, ctx.closing);
      }
    },
    async listResources(installationId, ids) {
      const resources = await listLiveResources(ctx.db, ctx.secretBox, installationId, ids);
      const now = ctx.now();
      return resources.map((r) => presentResource(r, now));
    },
    getResource: async (installationId, resourceId) => presentResource(await getResource(ctx, installationId, resourceId), ctx.now()),
    updateResource: (installationId, resourceId, update) => changeResource(ctx, installationId, resourceId, update),
    deleteResource: (installationId, resourceId) => deleteResource(ctx, installationId, resourceId),
    async rotateSecrets(installationId, resourceId, request, scope) {
      const replay = scope && (await findReplay(ctx, scope));
      if (replay) return { answer: replay, replayed: true };
      return rotateSecrets(ctx, installationId, resourceId, request, scope);
    },
    provisionPurchase: (installationId, request) => provisionPurchase(ctx, installationId, request.invoiceId),
  };
}

function parseMetadataQuery(text: string | undefined): Record<string, unknown> {
  if (text === undefined || text === '') return {};
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw validationError([{ key: 'metadata', message: 'must be a JSON object' }]);
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw validationError([{ key: 'metadata', message: 'must be a JSON object' }]);
  }
  return value as Record<string, unknown>;
}

/** Waits, but gives up when the server closes so a shutdown is not held by test delays. */
async function pause(ms: number, closing: AbortSignal): Promise<void> {
  try {
    await sleep(ms, undefined, { signal: closing });
  } catch {
    // Aborted by shutdown: answer now.
  }
}
