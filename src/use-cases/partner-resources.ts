import type { Selectable } from 'kysely';
import type { AppContext } from '../app-context.js';
import type { CatalogIntegration, CatalogProduct } from '../catalog/catalog.js';
import { isUniqueViolation } from '../db/errors.js';
import { findInstallationPartnerFields } from '../db/installations.js';
import { insertImportedStore, updatePartnerResource, type PartnerResourceChange } from '../db/partner-resources.js';
import type { StoresTable } from '../db/schema.js';
import { findStoreRowOfResource, listLiveStoresOfInstallation } from '../db/store-reads.js';
import { replaceStoreSecrets, storeSecretsContext } from '../db/store-secrets.js';
import { findLiveStoreByName, storeFromRow } from '../db/stores.js';
import type { BillingPlan } from '../domain/billing-plan-types.js';
import { deleteStore } from '../domain/delete-store.js';
import { toSecretValue, type ProviderSecret } from '../domain/env-vars.js';
import { newId } from '../domain/ids.js';
import type { Installation } from '../domain/installations.js';
import type { Metadata } from '../domain/metadata.js';
import { importedStorePlan, toNotification, type Ownership } from '../domain/partner-resources.js';
import { normalizeProviderPlan, type ProviderBillingPlan } from '../domain/provider-plans.js';
import { mapResourceStatus, toExternalResourceStatus } from '../domain/store-status.js';
import type { Notification, Store } from '../domain/stores.js';
import { ApiError } from '../errors.js';
import { deleteStoreRecordPorts } from './delete-store-ports.js';

/*
 * The resource endpoints partners call with the installation's token (docs/partner-calls.md):
 * Get/List Resources, Import Resource, Update Resource, Delete Resource. A resource is a store of
 * the installation, named by the partner's id (`externalResourceId`).
 */

/** What Import Resource and Update Resource may say of a resource (all optional on update). */
export interface ResourceFields {
  readonly name?: string;
  readonly status?: string;
  readonly ownership?: Ownership;
  readonly metadata?: Metadata;
  readonly billingPlan?: ProviderBillingPlan;
  readonly notification?: Notification | string | null;
  readonly extras?: Record<string, unknown>;
}

export interface ImportCommand extends ResourceFields {
  readonly productId: string;
  readonly name: string;
  readonly status: string;
  readonly secrets?: readonly ProviderSecret[];
}

export interface UpdateCommand extends ResourceFields {
  readonly secrets?: { readonly secrets: readonly ProviderSecret[]; readonly partial: boolean };
}

/** A store with the catalog entries it was made from, for presenting it as a resource. */
export interface ResourceView {
  readonly store: Store;
  readonly product: CatalogProduct | undefined;
}

function integrationOf(ctx: AppContext, installation: Installation): CatalogIntegration {
  const integration = ctx.catalog.findIntegration(installation.integrationId);
  if (!integration) throw new ApiError('not_found', `The integration ${installation.integrationId} is no longer in the catalog.`);
  return integration;
}

/** The catalog product a partner names: by its own product id, or by the catalog's id or slug. */
function productNamed(integration: CatalogIntegration, productId: string): CatalogProduct | undefined {
  return integration.products.find((p) => p.providerProductId === productId) ?? integration.products.find((p) => p.id === productId || p.slug === productId);
}

function productOf(ctx: AppContext, store: Store): CatalogProduct | undefined {
  return ctx.catalog.findIntegration(store.integrationId)?.products.find((p) => p.id === store.productId);
}

/** List Resources: the installation's live stores. */
export async function listResources(ctx: AppContext, installation: Installation): Promise<ResourceView[]> {
  const stores = await listLiveStoresOfInstallation(ctx.db, installation.id);
  return stores.map((store) => ({ store, product: productOf(ctx, store) }));
}

/** The live store made from the partner's resource; 404 for one the installation does not have live. */
async function liveStoreOfResource(ctx: AppContext, installation: Installation, resourceId: string): Promise<Selectable<StoresTable>> {
  return requireLive(await findStoreRowOfResource(ctx.db, installation.id, resourceId), installation, resourceId);
}

/** `liveStoreOfResource` for a row already read: 404 when absent or deleted, 409 while being created or deleted. */
function requireLive(row: Selectable<StoresTable> | undefined, installation: Installation, resourceId: string): Selectable<StoresTable> {
  if (!row || row.lifecycle === 'deleted') throw new ApiError('not_found', `The resource ${resourceId} was not found in ${installation.id}.`);
  if (row.lifecycle !== 'live') throw new ApiError('conflict', `The resource ${resourceId} is being ${row.lifecycle === 'provisioning' ? 'created' : 'deleted'}; retry once that is done.`);
  return row;
}

/** Get Resource. */
export async function getResource(ctx: AppContext, installation: Installation, resourceId: string): Promise<ResourceView> {
  const store = storeFromRow(await liveStoreOfResource(ctx, installation, resourceId));
  return { store, product: productOf(ctx, store) };
}

/** A partner's secrets for a live store, replacing them or (partial) merging by name; one name twice is 400. */
export async function replaceResourceSecrets(ctx: AppContext, storeId: string, secrets: readonly ProviderSecret[], partial: boolean): Promise<void> {
  const names = new Set<string>();
  for (const s of secrets) {
    if (names.has(s.name)) throw new ApiError('bad_request', `The secret ${s.name} is given twice.`, { param: 'secrets' });
    names.add(s.name);
  }
  await replaceStoreSecrets(ctx.db, ctx.secretBox, storeId, secrets.map(toSecretValue), { partial, now: ctx.now() });
}

/** 409 when another live store of the installation has the name (docs/rules.md §4). */
async function refuseNameClash(ctx: AppContext, installation: Installation, name: string, ownId: string | null): Promise<void> {
  const named = await findLiveStoreByName(ctx.db, installation.id, name);
  if (named && named.id !== ownId) throw new ApiError('conflict', `A store named "${name}" already exists in this installation.`, { storeId: named.id });
}

function changeOf(fields: ResourceFields): PartnerResourceChange {
  const notification = toNotification(fields.notification);
  const plan: BillingPlan | undefined = fields.billingPlan ? normalizeProviderPlan(fields.billingPlan) : undefined;
  return {
    ...(fields.name !== undefined ? { name: fields.name } : {}),
    ...(fields.status !== undefined ? { status: mapResourceStatus(fields.status), externalResourceStatus: toExternalResourceStatus(fields.status) } : {}),
    ...(fields.metadata !== undefined ? { metadata: JSON.stringify(fields.metadata) } : {}),
    ...(plan ? { billingPlanId: plan.id, billingPlan: JSON.stringify(plan) } : {}),
    ...(notification !== undefined ? { notification: notification === null ? null : JSON.stringify(notification) } : {}),
    ...(fields.ownership !== undefined ? { ownership: fields.ownership } : {}),
    ...(fields.extras !== undefined ? { extras: JSON.stringify(fields.extras) } : {}),
  };
}

/** Checks, then secrets (which may refuse with 409 and change nothing), then the other fields. */
async function applyChange(
  ctx: AppContext,
  installation: Installation,
  row: Selectable<StoresTable>,
  fields: ResourceFields,
  secrets: { readonly secrets: readonly ProviderSecret[]; readonly partial: boolean } | undefined,
): Promise<string> {
  if (fields.name !== undefined && fields.name !== row.name) await refuseNameClash(ctx, installation, fields.name, row.id);
  if (secrets) await replaceResourceSecrets(ctx, row.id, secrets.secrets, secrets.partial);
  try {
    if (!(await updatePartnerResource(ctx.db, row.id, changeOf(fields), ctx.now()))) {
      throw new ApiError('not_found', `The resource ${row.external_resource_id} was deleted meanwhile.`);
    }
  } catch (error) {
    if (isUniqueViolation(error)) throw new ApiError('conflict', `A store named "${fields.name}" already exists in this installation.`);
    throw error;
  }
  return fields.name ?? row.name;
}

/**
 * Import Resource: the partner's resource becomes a store of the team, or, when the installation
 * already has it, is updated (its product cannot change: 422). Nothing is charged: the partner
 * bills for what it made itself (docs/partner-calls.md). Answers the store's name.
 */
export async function importResource(ctx: AppContext, installation: Installation, resourceId: string, command: ImportCommand): Promise<{ name: string }> {
  const integration = integrationOf(ctx, installation);
  const product = productNamed(integration, command.productId);
  if (!product) throw new ApiError('not_found', `The integration ${integration.slug} has no product ${command.productId}.`);
  const secrets = command.secrets === undefined ? undefined : { secrets: command.secrets, partial: false };

  const existing = await findStoreRowOfResource(ctx.db, installation.id, resourceId);
  if (existing && existing.lifecycle !== 'deleted') {
    const row = requireLive(existing, installation, resourceId);
    if (row.product_id !== product.id) {
      throw new ApiError('unprocessable_entity', `The resource ${resourceId} is already imported as a store of another product (${row.product_id}); a resource's product cannot change.`, { param: 'productId' });
    }
    return { name: await applyChange(ctx, installation, row, command, secrets) };
  }

  await refuseNameClash(ctx, installation, command.name, null);
  const installationPlan = (await findInstallationPartnerFields(ctx.db, installation.id))?.billingPlan;
  const secretValues = (command.secrets ?? []).map(toSecretValue);
  const names = new Set(secretValues.map((s) => s.name));
  if (names.size !== secretValues.length) throw new ApiError('bad_request', 'A secret name is given twice.', { param: 'secrets' });
  const now = ctx.now();
  const id = newId('store');
  const store: Store = {
    id,
    teamId: installation.teamId,
    installationId: installation.id,
    integrationId: integration.id,
    productId: product.id,
    name: command.name,
    externalId: null,
    source: 'import',
    createdBy: installation.userId,
    billingPlan: importedStorePlan(command.billingPlan, installationPlan ? (JSON.parse(installationPlan) as ProviderBillingPlan) : null),
    metadata: command.metadata ?? {},
    protocolSettings: null,
    lifecycle: 'live',
    status: mapResourceStatus(command.status),
    externalResourceId: resourceId,
    externalResourceStatus: toExternalResourceStatus(command.status),
    notification: toNotification(command.notification) ?? null,
    ownership: command.ownership ?? null,
    secrets: secretValues.map((s) => ({ name: s.name, length: s.value.length })),
    provisionKey: newId('prov'),
    payment: null,
    createdAt: now,
    updatedAt: now,
    deletedAt: null,
  };
  let inserted: boolean;
  try {
    inserted = await insertImportedStore(ctx.db, ctx.dialect, store, {
      secretsSealed: ctx.secretBox.seal(JSON.stringify(secretValues), storeSecretsContext(id)),
      extras: command.extras === undefined ? null : JSON.stringify(command.extras),
    });
  } catch (error) {
    if (isUniqueViolation(error)) throw new ApiError('conflict', `A store named "${command.name}" is being created in this installation right now.`);
    throw error;
  }
  if (!inserted) throw new ApiError('conflict', `The installation ${installation.id} is being uninstalled: nothing was imported.`);
  return { name: store.name };
}

/** Update Resource: changes what the partner gives of a live store; answers its name. */
export async function updateResource(ctx: AppContext, installation: Installation, resourceId: string, command: UpdateCommand): Promise<{ name: string }> {
  const row = await liveStoreOfResource(ctx, installation, resourceId);
  return { name: await applyChange(ctx, installation, row, command, command.secrets) };
}

/**
 * Delete Resource: the store is recorded deleted as a team's delete records it (connections, and
 * so the projects' variables, gone; sealed values wiped), but the partner is not asked to delete
 * the resource: it is the one asking.
 */
export async function deleteResource(ctx: AppContext, installation: Installation, resourceId: string): Promise<void> {
  const row = await findStoreRowOfResource(ctx.db, installation.id, resourceId);
  if (!row || row.lifecycle === 'deleted') throw new ApiError('not_found', `The resource ${resourceId} was not found in ${installation.id}.`);
  await deleteStore(
    { ...deleteStoreRecordPorts(ctx), deleteAtProvider: async () => {} },
    { teamId: installation.teamId, storeId: row.id },
  );
}
