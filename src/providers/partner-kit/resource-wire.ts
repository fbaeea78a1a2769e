import type { BillingPlan } from './billing-plan.js';
import type { ResourceStatus } from './resource-status.js';

/** A notification shown on the resource (partner-api.md §1.2). */
export interface Notification {
  readonly level: 'info' | 'warn' | 'error';
  readonly title: string;
  readonly message?: string;
}

/** A Resource on the wire (partner-api.md §1.2); secrets are added by Provision only. */
export interface ResourceWire {
  readonly id: string;
  readonly productId: string;
  readonly name: string;
  readonly metadata: Readonly<Record<string, unknown>>;
  readonly status: ResourceStatus;
  readonly billingPlan?: BillingPlan;
  /** `null` clears a notification shown before; absent leaves it as it was. */
  readonly notification?: Notification | null;
}
