import type { BillingPlan } from './billing-plan-types.js';
import { normalizeProviderPlan, type ProviderBillingPlan } from './provider-plans.js';
import { EXTERNAL_RESOURCE_STATUSES, type ExternalResourceStatus, type StoreStatus } from './store-status.js';
import type { Notification, Store } from './stores.js';

/*
 * The rules of the resource endpoints partners call (Import, Update, Get, List Resources;
 * docs/partner-calls.md), free of I/O.
 */

/** `ownership` of a resource (vercel-contract.md §2.4); an imported store without one is `owned`. */
export const OWNERSHIP_VALUES = ['owned', 'linked', 'sandbox'] as const;
export type Ownership = (typeof OWNERSHIP_VALUES)[number];

/**
 * A partner's notification as Vercel's SDK lets it send one: an object, or a plain string, which
 * Stockroom shows as an `info` notification with that title. `null` clears (partner-api.md §1.5);
 * `undefined` leaves the current one.
 */
export function toNotification(given: Notification | string | null | undefined): Notification | null | undefined {
  if (given === undefined || given === null) return given;
  if (typeof given === 'string') return { level: 'info', title: given };
  return {
    level: given.level,
    title: given.title,
    ...(given.message !== undefined ? { message: given.message } : {}),
    ...(given.href !== undefined ? { href: given.href } : {}),
  };
}

/**
 * The plan an imported store records: the partner's, with the partner API's defaults applied; or,
 * when it sent none, the installation's plan (Update Installation); or else a plan that says the
 * partner bills for the resource itself. Nothing is charged for an import either way.
 */
export function importedStorePlan(given: ProviderBillingPlan | undefined, installationPlan: ProviderBillingPlan | null): BillingPlan {
  if (given) return normalizeProviderPlan(given);
  if (installationPlan) return normalizeProviderPlan(installationPlan);
  return {
    id: 'imported',
    type: 'subscription',
    name: 'Billed by the provider',
    description: 'Imported from the provider without a billing plan; Stockroom charges nothing for it.',
    scope: 'resource',
    paymentMethodRequired: false,
  };
}

const RESOURCE_STATUS_OF: Readonly<Partial<Record<StoreStatus, ExternalResourceStatus>>> = {
  available: 'ready',
  initializing: 'pending',
  onboarding: 'onboarding',
  suspended: 'suspended',
  'limits-exceeded-suspended': 'suspended',
  'limits-exceeded-suspended-store-count': 'suspended',
  error: 'error',
  uninstalled: 'uninstalled',
};

/**
 * A store's status in the partner's terms, for Get Resource(s): the partner's own last word when
 * it said one the SDK knows, else Stockroom's status mapped back; undefined when neither is known.
 */
export function resourceStatusOf(store: Pick<Store, 'status' | 'externalResourceStatus'>): ExternalResourceStatus | undefined {
  const own = store.externalResourceStatus;
  if (own !== null && (EXTERNAL_RESOURCE_STATUSES as readonly string[]).includes(own)) return own as ExternalResourceStatus;
  return store.status === null ? undefined : RESOURCE_STATUS_OF[store.status];
}
