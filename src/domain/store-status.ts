/**
 * A store's status and the provider's resource status it comes from (docs/rules.md §6;
 * vercel-contract.md §2.4 `status` and `externalResourceStatus`; partner-api.md §1.2). How these
 * two relate to the store's `lifecycle`: `StoreLifecycle` in `stores.ts`.
 */

/** Every `store.status` the SDK accepts. */
export const STORE_STATUSES = [
  'available',
  'error',
  'initializing',
  'limits-exceeded-suspended',
  'limits-exceeded-suspended-store-count',
  'onboarding',
  'suspended',
  'uninstalled',
] as const;

/** A store's status as Vercel reports it. Not the provider's set: `ready` here is invalid. */
export type StoreStatus = (typeof STORE_STATUSES)[number];

/** Every resource status a provider may report, echoed as `store.externalResourceStatus`. */
export const EXTERNAL_RESOURCE_STATUSES = [
  'error',
  'onboarding',
  'pending',
  'ready',
  'resumed',
  'suspended',
  'uninstalled',
] as const;

/** A resource status in the provider's (partner API's) terms. */
export type ExternalResourceStatus = (typeof EXTERNAL_RESOURCE_STATUSES)[number];

const STORE_STATUS_OF: Readonly<Record<ExternalResourceStatus, StoreStatus>> = {
  ready: 'available',
  resumed: 'available',
  pending: 'initializing',
  onboarding: 'onboarding',
  suspended: 'suspended',
  error: 'error',
  uninstalled: 'uninstalled',
};

export function isExternalResourceStatus(value: unknown): value is ExternalResourceStatus {
  return typeof value === 'string' && Object.hasOwn(STORE_STATUS_OF, value);
}

/**
 * Maps the provider's resource status to `store.status` (docs/rules.md §6).
 * Anything else (an unknown string, a missing or non-string value) maps to `error`: the provider did
 * not say the resource is usable, so reporting `available` could hand out a broken database, and
 * passing the value through would make the SDK reject the whole response (its enum is closed).
 * `error` is the one status that is both safe and tells the user to look.
 */
export function mapResourceStatus(providerStatus: unknown): StoreStatus {
  return isExternalResourceStatus(providerStatus) ? STORE_STATUS_OF[providerStatus] : 'error';
}

/**
 * The value for `store.externalResourceStatus`: the provider's own status when it is one the SDK
 * knows, else `null` (the field is nullable, and an unknown value would fail the SDK's enum).
 */
export function toExternalResourceStatus(providerStatus: unknown): ExternalResourceStatus | null {
  return isExternalResourceStatus(providerStatus) ? providerStatus : null;
}
