import type { BillingPlan } from './billing-plan-types.js';
import type { Metadata } from './metadata.js';
import type { PaymentPlan } from './payment.js';
import type { StoreStatus } from './store-status.js';

/**
 * Stockroom's lifecycle of a store row (semantics.md §6, issue 4 §2):
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
  readonly lifecycle: StoreLifecycle;
  /** Vercel's status; null while provisioning. */
  readonly status: StoreStatus | null;
  readonly externalResourceId: string | null;
  /** The provider's own status value, when it is one Vercel knows. */
  readonly externalResourceStatus: string | null;
  readonly notification: Notification | null;
  readonly secrets: readonly SecretInfo[];
  /** The Idempotency-Key of the provision call, reused on every retry of it. */
  readonly provisionKey: string;
  readonly payment: PaymentPlan | null;
  readonly createdAt: number;
  readonly updatedAt: number;
  readonly deletedAt: number | null;
}
