import type { BillingPlan } from './billing-plan-types.js';
import type { Metadata } from './metadata.js';
import type { PaymentPlan } from './payment.js';
import type { StoreStatus } from './store-status.js';

/**
 * A store's state is three fields, each answering its own question; this is the one place that
 * says how they relate (the DB columns `lifecycle`, `status`, `external_resource_status` hold them).
 *
 * - `lifecycle` (Stockroom's own, never sent to clients): where the row is in its life, below.
 *   Only `live` and `deleting` stores are shown (`VISIBLE_LIFECYCLES`, `db/store-reads.ts`), and
 *   only `live` ones are used (connected, rotated, polled, updated by the provider).
 * - `status` (Vercel's `store.status`, vercel-contract.md §2.4): whether the store can be used.
 *   Null while `provisioning` (the provider has not answered). Set from the provider's resource
 *   status when the store goes `live`, then kept current while `live` by the status poller
 *   (`jobs/store-status-poller.ts`) and the provider's `resource.updated` events. Left as it
 *   was while `deleting`; `uninstalled` once `deleted`.
 * - `externalResourceStatus` (the provider's own word, partner-api.md §1.2): the last resource
 *   status the provider reported, or null when it reported none the SDK knows.
 *
 * `status` follows `externalResourceStatus` by the mapping in `store-status.ts` (ready/resumed →
 * `available`, pending → `initializing`, …; anything unknown → `error`), except after Stockroom's
 * own verdicts, where it does not: `error` when a resource still pending passes the provisioning
 * deadline (`externalResourceStatus` still says `pending`), `uninstalled` once the store is deleted.
 *
 * The lifecycle of a store row (docs/rules.md §6, issue 4 §2):
 * - `provisioning`: written before the provider is called; recovery finishes or undoes it;
 * - `live`: the provider created it (its status may still be `initializing`);
 * - `deleting`: being deleted at the provider;
 * - `deleted`: gone (kept for the ledger and for audits).
 */
export type StoreLifecycle = 'provisioning' | 'live' | 'deleting' | 'deleted';

/** What is known of a secret without its value (vercel-contract.md §2.4 `secrets`). */
export interface SecretInfo {
  readonly name: string;
  readonly length: number;
}

export interface Notification {
  readonly level: 'info' | 'warn' | 'error';
  readonly title: string;
  readonly message?: string;
  readonly href?: string;
}

export interface Store {
  readonly id: string;
  readonly teamId: string;
  readonly installationId: string;
  readonly integrationId: string;
  readonly productId: string;
  readonly name: string;
  readonly externalId: string | null;
  readonly source: string;
  readonly createdBy: string;
  readonly billingPlan: BillingPlan;
  readonly metadata: Metadata;
  readonly protocolSettings: Readonly<Record<string, unknown>> | null;
  /** How the three state fields relate: `StoreLifecycle`. */
  readonly lifecycle: StoreLifecycle;
  /** Vercel's status; null while provisioning (`StoreLifecycle` says how it follows the others). */
  readonly status: StoreStatus | null;
  readonly externalResourceId: string | null;
  /** The provider's own status value, when it is one Vercel knows (see `StoreLifecycle`). */
  readonly externalResourceStatus: string | null;
  readonly notification: Notification | null;
  /** `owned`, `linked` or `sandbox` as a partner's Import/Update Resource said; null or absent: `owned`. */
  readonly ownership?: 'owned' | 'linked' | 'sandbox' | null;
  readonly secrets: readonly SecretInfo[];
  /** The Idempotency-Key of the provision call, reused on every retry of it. */
  readonly provisionKey: string;
  readonly payment: PaymentPlan | null;
  readonly createdAt: number;
  readonly updatedAt: number;
  readonly deletedAt: number | null;
}
