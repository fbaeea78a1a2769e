import type { CatalogIntegration, CatalogProduct } from '../catalog/catalog.js';
import { isUniqueViolation } from '../db/errors.js';
import { findLiveInstallation } from '../db/installations.js';
import { appendLedgerEntry } from '../db/ledger.js';
import { insertProvisioningStoreWithinLimit } from '../db/provisioning-stores.js';
import { storeSecretsContext } from '../db/store-secrets.js';
import { deleteProvisioningStore, findLiveStoreByExternalId, findLiveStoreByName, insertProvisioningStore, markStoreLive, setExternalResourceId } from '../db/stores.js';
import type { Membership, User } from '../domain/accounts.js';
import type { Installation } from '../domain/installations.js';
import type { Metadata } from '../domain/metadata.js';
import { provisionedFields, type CreateStorePorts, type PaymentAttempt, type StoreProduct } from '../domain/create-store.js';
import { toSecretValue } from '../domain/env-vars.js';
import type { Notification, Store } from '../domain/stores.js';
import { normalizeProviderPlan } from '../domain/provider-plans.js';
import { provisioningLimitError } from '../domain/provisioning-limit.js';
import { ApiError } from '../errors.js';
import type { AppContext } from '../app-context.js';
import { isProviderError } from '../providers/provider-error.js';
import { providerFor, userCaller } from '../providers/provider-for.js';
import { cleanUpAtProvider } from './provider-cleanup.js';
import { teamPaymentMethods } from './team-payment-methods.js';
import { provisionFailureOf } from './provision-failure.js';
import { prepaymentSourceKey, purchasePrepaidCredits, recordPaidPrepayment, recordStoreRefund } from './invoices.js';
import { findInvoiceBySourceKey } from '../db/invoices.js';
import { withPausePoints } from '../fault-injection.js';

/**
 * A catalog product as the create-store ports hand it around: the domain's view of it, and the
 * catalog entries it was found as, for the provider calls and the caller's answer.
 */
export interface CatalogStoreProduct extends StoreProduct {
  readonly integration: CatalogIntegration;
  readonly entry: CatalogProduct;
}

/**
 * Binds the create-store use case to the database, the catalog, the integration's provider and
 * the payment processor, for one request by `actor`. The testers' pause points
 * (`fault-injection.ts`) are put on them here, inert unless armed.
 */
export function createStorePorts(ctx: AppContext, actor: { user: User; membership: Membership }): CreateStorePorts<CatalogStoreProduct> {
  // The processor pays with a method's source; remember it for the methods this request resolved.
  const sources = new Map<string, string>();
  const integrationOf = (id: string): CatalogIntegration => {
    const integration = ctx.catalog.findIntegration(id);
    if (!integration) throw new ApiError('not_found', `The integration ${id} is no longer in the catalog.`);
    return integration;
  };
  const providerOf = (integration: CatalogIntegration) => providerFor(ctx.partners, ctx.providerBaseUrl, integration);
  /** The product's plans from its provider, for `installationId` or (null) for anyone. */
  const plansOf = async (installation: Installation, product: CatalogStoreProduct, metadata: Metadata | undefined, installationId: string | null) => {
    const plans = await providerOf(product.integration).listProductPlans(
      product.providerProductId,
      { installationId, ...(metadata ? { metadata } : {}) },
      { accountId: installation.teamId },
    );
    return plans.map((p) => normalizeProviderPlan(p));
  };
  const pay = async (store: Store, kind: 'authorization' | 'charge', step: string, methodId: string, amountCents: number): Promise<PaymentAttempt> => {
    const operationKey = `${store.id}:${kind}:${step}`;
    const request = { methodSource: sources.get(methodId) ?? methodId, amountCents, idempotencyKey: operationKey };
    const outcome = kind === 'authorization' ? await ctx.payments.authorize(request) : await ctx.payments.charge(request);
    if (!outcome.ok) return { ok: false, message: outcome.message };
    const entry = {
      teamId: store.teamId,
      storeId: store.id,
      kind,
      amountCents,
      paymentMethodId: methodId,
      billingPlanId: store.billingPlan.id,
      reference: outcome.reference,
      operationKey,
      memo: `${kind} for ${step === 'prepayment' ? 'prepaid credits' : step === 'initial' ? 'the initial charge' : 'the plan'} of store ${store.name}`,
      createdAt: ctx.now(),
    } as const;
    if (kind === 'charge' && step === 'prepayment') {
      // A prepaid purchase is a paid invoice, stored with its charge (docs/invoices.md).
      await recordPaidPrepayment(ctx, { store, paymentMethodId: methodId, amountCents, chargeReference: outcome.reference, ledger: entry });
    } else {
      await appendLedgerEntry(ctx.db, entry);
    }
    return { ok: true, reference: outcome.reference };
  };

  return withPausePoints({
    findInstallation: (teamId, id) => findLiveInstallation(ctx.db, teamId, id),
    findProduct(integrationId, productIdOrSlug) {
      const integration = ctx.catalog.findIntegration(integrationId);
      const entry = integration ? ctx.catalog.findProduct(integration, productIdOrSlug) : undefined;
      if (!integration || !entry) return undefined;
      return { id: entry.id, providerProductId: entry.providerProductId, metadataSchema: entry.metadataSchema, integration, entry };
    },
    async listPlans(installation, product, metadata) {
      try {
        return await plansOf(installation, product, metadata, installation.id);
      } catch (error) {
        throw isProviderError(error) ? error.toApiError() : error;
      }
    },
    async listGeneralPlans(installation, product, metadata) {
      try {
        return await plansOf(installation, product, metadata, null);
      } catch (error) {
        // It only words a refusal; a provider that cannot answer leaves the plain one.
        ctx.logger.warn({ err: isProviderError(error) ? error.message : String(error), installation: installation.id }, 'general plan list unavailable');
        return [];
      }
    },
    findLiveStoreByName: (installationId, name) => findLiveStoreByName(ctx.db, installationId, name),
    findLiveStoreByExternalId: (installationId, externalId) => findLiveStoreByExternalId(ctx.db, installationId, externalId),
    async paymentMethodsOf(teamId) {
      const { methods, defaultId, sources: found } = await teamPaymentMethods(ctx, teamId);
      for (const [id, source] of found) sources.set(id, source);
      return { methods, defaultId };
    },
    async insertProvisioning(store) {
      const perTeam = ctx.provisioningLimitPerTeam ?? 0;
      try {
        if (perTeam <= 0) {
          await insertProvisioningStore(ctx.db, store);
          return true;
        }
        const outcome = await insertProvisioningStoreWithinLimit(ctx.db, ctx.dialect, store, perTeam);
        if (!outcome.inserted) throw provisioningLimitError(outcome.provisioning, perTeam, ctx.now());
        return true;
      } catch (error) {
        if (isUniqueViolation(error)) return false;
        throw error;
      }
    },
    deleteProvisioning: (id) => deleteProvisioningStore(ctx.db, id),
    recordExternalId: (id, externalId) => setExternalResourceId(ctx.db, id, externalId, ctx.now()),
    async markLive(store, resource) {
      const fields = provisionedFields(resource);
      const now = ctx.now();
      const notification = (resource.notification ?? null) as Notification | null;
      const moved = await markStoreLive(ctx.db, ctx.dialect, store.id, {
        status: fields.status ?? 'error',
        externalResourceId: resource.id,
        externalResourceStatus: fields.externalResourceStatus,
        notification,
        secrets: fields.secrets,
        secretsSealed: ctx.secretBox.seal(JSON.stringify(resource.secrets), storeSecretsContext(store.id)),
        now,
      });
      if (!moved) return undefined;
      return {
        ...store,
        lifecycle: 'live',
        status: fields.status,
        externalResourceId: resource.id,
        externalResourceStatus: fields.externalResourceStatus,
        notification,
        secrets: fields.secrets,
        updatedAt: now,
      };
    },
    authorize: (store, methodId, amountCents) => pay(store, 'authorization', 'plan', methodId, amountCents),
    charge: (store, methodId, amountCents, step) => pay(store, 'charge', step, methodId, amountCents),
    async refund(store, step, chargeReference, amountCents, reason) {
      const operationKey = `${store.id}:refund:${step}`;
      const { reference } = await ctx.payments.refund({ chargeReference, amountCents, idempotencyKey: operationKey });
      await recordStoreRefund(ctx, store.id, step, {
        teamId: store.teamId,
        storeId: store.id,
        kind: 'refund',
        amountCents,
        billingPlanId: store.billingPlan.id,
        reference,
        operationKey,
        memo: `refund of ${chargeReference}: ${reason}`,
        createdAt: ctx.now(),
      });
    },
    async credit(store, amountCents) {
      await appendLedgerEntry(ctx.db, {
        teamId: store.teamId,
        storeId: store.id,
        kind: 'credit',
        amountCents,
        billingPlanId: store.billingPlan.id,
        operationKey: `${store.id}:credit:prepayment`,
        memo: `prepaid credits of store ${store.name}`,
        createdAt: ctx.now(),
        // The credits the purchase's paid invoice bought (docs/invoices.md).
        invoiceId: (await findInvoiceBySourceKey(ctx.db, prepaymentSourceKey(store.id)))?.id ?? null,
      });
    },
    async purchaseCredits(store, installation, product, resourceId) {
      await purchasePrepaidCredits(ctx, providerOf(product.integration), userCaller(actor.user, actor.membership), store, resourceId);
    },
    async provision(store, installation, product) {
      try {
        const { resource, secrets } = await providerOf(product.integration).provisionResource(
          installation.id,
          {
            productId: product.providerProductId,
            name: store.name,
            metadata: store.metadata,
            billingPlanId: store.billingPlan.id,
            ...(store.externalId ? { externalId: store.externalId } : {}),
            ...(store.protocolSettings ? { protocolSettings: store.protocolSettings } : {}),
          },
          userCaller(actor.user, actor.membership),
          { idempotencyKey: store.provisionKey },
        );
        return { id: resource.id, status: resource.status, notification: (resource.notification ?? null) as Notification | null, secrets: secrets.map(toSecretValue) };
      } catch (error) {
        throw isProviderError(error) ? provisionFailureOf(error) : error;
      }
    },
    async cleanUpAtProvider(store, installation, resourceId) {
      await cleanUpAtProvider(ctx, {
        storeId: store.id,
        teamId: store.teamId,
        installationId: installation.id,
        integration: integrationOf(installation.integrationId),
        storeName: store.name,
        ...(resourceId ? { resourceId } : {}),
      });
    },
    now: ctx.now,
  });
}
