import { deleteInstallationResources, deleteResource } from './deprovision.js';
import { PartnerError } from './errors.js';
import { isLiveInstallation, markInstallationDeleted, upsertInstallation } from './installation-store.js';
import type { KitContext } from './options.js';
import type { PartnerApi } from './partner-api.js';
import { billingPlans, findKitProduct, installationBillingPlans } from './products.js';
import { provisionResource } from './provision.js';
import { changeResource, getLiveResource } from './resource-changes.js';
import { listResources } from './resource-store.js';
import { presentResource } from './resource-view.js';
import { rotateSecrets } from './rotation.js';

/**
 * The partner API over real resources: the kit keeps installations, resources and credentials in
 * its own tables and has `ctx.backend` (a `ResourceBackend`: PostgreSQL, Redis) do the work on the
 * real server. Plans do not depend on metadata here, so a `metadata` query is accepted and not read.
 */
export function managedResourcesApi(ctx: KitContext): PartnerApi {
  return {
    // The body is validated but not kept: these providers never call Stockroom back, so they need
    // neither the account nor the installation's access token.
    upsertInstallation: (installationId) => upsertInstallation(ctx.db, installationId, ctx.now()),
    isLiveInstallation: (installationId) => isLiveInstallation(ctx.db, installationId),
    // With cascade every database or user of the installation is dropped for real, before the
    // installation is marked deleted, so a failure can be retried.
    async deleteInstallation(installationId, cascade) {
      if (cascade) await deleteInstallationResources(ctx, installationId);
      await markInstallationDeleted(ctx.db, installationId, ctx.now());
    },

    async productPlans(productSlug) {
      const product = ctx.products.find((p) => p.slug === productSlug);
      if (!product) throw new PartnerError('not_found', `Product ${productSlug} was not found.`);
      return billingPlans(product);
    },
    // Billed per resource: every product's plans, each id once.
    installationPlans: async () => installationBillingPlans(ctx.products),
    async resourcePlans(installationId, resourceId) {
      const resource = await getLiveResource(ctx, installationId, resourceId);
      return billingPlans(findKitProduct(ctx.products, resource.productId));
    },

    provisionResource: (installationId, request, scope) => provisionResource(ctx, installationId, request, scope),
    // Resources still being provisioned are listed too: Stockroom's orphan cleanup finds a
    // resource whose provision answer it never got by its name.
    async listResources(installationId, ids) {
      const resources = await listResources(ctx.db, installationId, ['provisioning', 'ready'], ids);
      return resources.map((r) => presentResource(r, ctx.products));
    },
    getResource: async (installationId, resourceId) => presentResource(await getLiveResource(ctx, installationId, resourceId), ctx.products),
    updateResource: (installationId, resourceId, update) => changeResource(ctx, installationId, resourceId, update),
    // A half-done delete is finished by the next one.
    deleteResource: (installationId, resourceId) => deleteResource(ctx, installationId, resourceId),
    // Answered synchronously.
    rotateSecrets: (installationId, resourceId, request, scope) => rotateSecrets(ctx, installationId, resourceId, request, scope),
  };
}
