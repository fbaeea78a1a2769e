import type { Static } from 'typebox';
import type { CatalogIntegration, CatalogProduct } from '../../catalog/catalog.js';
import type { StoreConnectionView } from '../../domain/store-connections.js';
import type { Store } from '../../domain/stores.js';
import type { Product, ProjectsMetadata, Store as StoreWire, StoreCapabilities, StoreStatusView } from '../schemas/index.js';
import { presentBillingPlan } from './billing-plan.js';

const STORE_CAPABILITY_KEYS = ['agentTools', 'autoSensitive', 'billable', 'mcp', 'mcpReadonly', 'projects', 'secretsSync', 'sso', 'transferable', 'v0', 'secretRotation'] as const;

/** The environment variable names a connection gives a project: the secret names, prefixed. */
export function environmentVariableNames(store: Pick<Store, 'secrets'>, envVarPrefix: string | null): string[] {
  return store.secrets.map((s) => `${envVarPrefix ?? ''}${s.name}`);
}

/** What every view of a store says of a project connected to it. */
function presentConnectedProject(store: Pick<Store, 'secrets'>, c: StoreConnectionView) {
  return {
    id: c.id,
    projectId: c.projectId,
    name: c.projectName,
    environments: [...c.environments],
    environmentVariables: environmentVariableNames(store, c.envVarPrefix),
    envVarPrefix: c.envVarPrefix,
  };
}

/** The unauthenticated status view (vercel-contract.md §7.1): status and connected projects only. */
export function presentStoreStatus(store: Store, connections: readonly StoreConnectionView[]): StoreStatusView {
  const projectsMetadata = connections.map((c) => presentConnectedProject(store, c));
  return { id: store.id, projectsMetadata, status: store.status, usageQuotaExceeded: false, totalConnectedProjects: projectsMetadata.length };
}

/** The full store object of vercel-contract.md §2.4, plus `id`, `name` and timestamps. */
export function presentStore(
  store: Store,
  integration: CatalogIntegration,
  product: CatalogProduct,
  connections: readonly StoreConnectionView[],
): Static<typeof StoreWire> {
  return { ...fieldsBeforeProduct(store, product, connections), product: presentedProduct(integration, product, store.installationId).object, ...fieldsAfterProduct(store) };
}

/**
 * `JSON.stringify({ ...presentStore(store, …), type: 'integration' })`, a store as reads and lists
 * answer it, with its `product` (4 of its 5 KB: the integration, the metadata schema, the guides)
 * serialized once per catalog product and installation and spliced in (issue 17). Byte for byte
 * the same: an object's JSON is its members' JSON joined by commas, so the members before
 * `product` and those after it are serialized as two objects (neither is ever empty: `id` opens
 * one, `secrets` the other) and joined around the product's.
 */
export function listedStoreJson(store: Store, integration: CatalogIntegration, product: CatalogProduct, connections: readonly StoreConnectionView[]): string {
  const before = JSON.stringify(fieldsBeforeProduct(store, product, connections));
  const after = JSON.stringify({ ...fieldsAfterProduct(store), type: 'integration' });
  return `${before.slice(0, -1)},"product":${presentedProduct(integration, product, store.installationId).json},${after.slice(1)}`;
}

/** The store's members that come before `product`, in wire order. */
function fieldsBeforeProduct(store: Store, product: CatalogProduct, connections: readonly StoreConnectionView[]) {
  const projectsMetadata: Array<Static<typeof ProjectsMetadata>> = connections.map((c) => ({
    ...presentConnectedProject(store, c),
    framework: (c.framework ?? null) as Static<typeof ProjectsMetadata>['framework'],
    makeEnvVarsSensitive: c.sensitive,
  }));
  return {
    id: store.id,
    name: store.name,
    ownerId: store.teamId,
    createdAt: store.createdAt,
    updatedAt: store.updatedAt,
    projectsMetadata,
    totalConnectedProjects: connections.length,
    usageQuotaExceeded: false,
    status: store.status,
    ownership: store.ownership ?? 'owned',
    capabilities: storeCapabilities(product),
    metadata: { ...store.metadata } as Static<typeof StoreWire>['metadata'],
    externalResourceId: store.externalResourceId ?? '',
    externalResourceStatus: (store.externalResourceStatus ?? null) as Static<typeof StoreWire>['externalResourceStatus'],
  };
}

/** The store's members that come after `product`, in wire order. */
function fieldsAfterProduct(store: Store) {
  return {
    ...(store.protocolSettings ? { protocolSettings: store.protocolSettings as Static<typeof StoreWire>['protocolSettings'] } : {}),
    ...(store.notification ? { notification: { ...store.notification } } : {}),
    secrets: store.secrets.map((s) => ({ name: s.name, length: s.length })),
    billingPlan: presentBillingPlan(store.billingPlan),
  };
}

function storeCapabilities(product: CatalogProduct): Static<typeof StoreCapabilities> {
  const out: Record<string, unknown> = {};
  for (const key of STORE_CAPABILITY_KEYS) {
    if (product.capabilities[key] !== undefined) out[key] = product.capabilities[key];
  }
  return out as Static<typeof StoreCapabilities>;
}

/**
 * `presentProduct`, made once per catalog product and installation and shared by every store
 * answer that shows it, with its JSON: the catalog is immutable once loaded (a reload makes new
 * product objects, so the WeakMap lets the old ones go), and a list page shows the same product up
 * to 100 times. Frozen, because it is shared.
 */
interface PresentedProduct {
  readonly object: Static<typeof Product>;
  readonly json: string;
}
const productsPresented = new WeakMap<CatalogProduct, Map<string, PresentedProduct>>();
const MAX_INSTALLATIONS_PER_PRODUCT = 1000;

function presentedProduct(integration: CatalogIntegration, product: CatalogProduct, installationId: string): PresentedProduct {
  let byInstallation = productsPresented.get(product);
  if (!byInstallation) productsPresented.set(product, (byInstallation = new Map()));
  let presented = byInstallation.get(installationId);
  if (!presented) {
    if (byInstallation.size >= MAX_INSTALLATIONS_PER_PRODUCT) byInstallation.clear();
    const object = deepFreeze(presentProduct(integration, product, installationId));
    presented = { object, json: JSON.stringify(object) };
    byInstallation.set(installationId, presented);
  }
  return presented;
}

function deepFreeze<T>(value: T): T {
  if (value && typeof value === 'object' && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const child of Object.values(value)) deepFreeze(child);
  }
  return value;
}

/** `store.product`: the catalog product with its integration (vercel-contract.md §2.4 Product). */
export function presentProduct(integration: CatalogIntegration, product: CatalogProduct, installationId: string): Static<typeof Product> {
  return {
    integration: {
      id: integration.id,
      slug: integration.slug,
      name: integration.name,
      icon: integration.icon,
      flags: [...(integration.flags ?? [])],
    },
    integrationConfigurationId: installationId,
    supportedProtocols: [...product.supportedProtocols] as Static<typeof Product>['supportedProtocols'],
    primaryProtocol: product.primaryProtocol as Static<typeof Product>['primaryProtocol'],
    id: product.id,
    slug: product.slug,
    name: product.name,
    ...(product.iconUrl ? { iconUrl: product.iconUrl } : {}),
    ...(product.shortDescription ? { shortDescription: product.shortDescription } : {}),
    ...(product.resourceTitle ? { resourceTitle: product.resourceTitle } : {}),
    capabilities: { ...product.capabilities } as Static<typeof Product>['capabilities'],
    metadataSchema: product.metadataSchema as Static<typeof Product>['metadataSchema'],
    resourceLinks: product.resourceLinks.map((l) => ({ ...l })),
    tags: [...product.tags] as Static<typeof Product>['tags'],
    projectConnectionScopes: [...(product.projectConnectionScopes ?? [])] as Static<typeof Product>['projectConnectionScopes'],
    showSSOLinkOnProjectConnection: false,
    disableResourceRenaming: false,
    guides: product.guides as Static<typeof Product>['guides'],
  };
}
