/**
 * The API shapes the console reads. Where the server exports its TypeBox schema, the type is taken
 * from it (type-only imports, erased from the bundle), so a change of the wire breaks the
 * console's typecheck rather than the page.
 */
import type { Static } from 'typebox';
import type { TeamWire, UserWire } from '../http/presenters/account.js';
import type { BillingPlan } from '../http/schemas/billing-plan.js';
import type { AccountConfiguration } from '../http/schemas/integration-configuration.js';
import type { Store } from '../http/schemas/store.js';
import type { WebhookDelivery, WebhookDeliveryList } from '../http/schemas/webhook-delivery.js';

export type { BillingPlan, AccountConfiguration as Installation, WebhookDelivery, WebhookDeliveryList };
export type User = Static<typeof UserWire>;
export type Team = Static<typeof TeamWire>;

/** A store as `GET /v1/storage/stores[/{id}]` lists it. */
export type ListedStore = Store & { readonly type: 'integration' };

/**
 * One property of a product's `metadataSchema` (vercel-contract.md §2.5), read loosely: the form
 * handles every one of the twelve variants through the keys they share.
 */
export interface MetadataProperty {
  readonly type: 'string' | 'number' | 'boolean' | 'array';
  readonly 'ui:control': string;
  readonly 'ui:label'?: string;
  readonly 'ui:placeholder'?: string;
  readonly 'ui:description'?: string | { readonly expr: string };
  readonly 'ui:hidden'?: Cond;
  readonly 'ui:read-only'?: Cond;
  readonly 'ui:disabled'?: Cond;
  readonly 'ui:options'?: ReadonlyArray<string | OptionObject>;
  readonly 'ui:steps'?: readonly number[];
  readonly description?: string;
  readonly default?: string | number | boolean | readonly string[] | readonly number[];
  readonly minimum?: number;
  readonly maximum?: number;
  readonly minLength?: number;
  readonly maxLength?: number;
  readonly pattern?: string;
  readonly items?: { readonly type: string; readonly minimum?: number; readonly maximum?: number };
}

/** `ui:hidden`, `ui:read-only`, `ui:disabled` and an option's `hidden`/`disabled` (§2.5). */
export type Cond = boolean | 'create' | 'update' | { readonly expr: string };

export interface OptionObject {
  readonly value: string;
  readonly label?: string;
  readonly description?: string;
  readonly hidden?: Cond;
  readonly disabled?: Cond;
}

export interface MetadataSchema {
  readonly type: 'object';
  readonly properties: Readonly<Record<string, MetadataProperty>>;
  readonly required?: readonly string[];
  readonly 'ui:order'?: readonly string[];
}

/** A product of `GET /v1/integrations/configuration/{id}/products`. */
export interface Product {
  readonly id: string;
  readonly slug: string;
  readonly name: string;
  readonly metadataSchema: MetadataSchema;
}

export interface ProductsOfInstallation {
  readonly integration: { readonly id: string; readonly slug: string; readonly name: string };
  readonly products: readonly Product[];
}

/** `GET /stockroom/v1/payment-methods`. */
export interface PaymentMethod {
  readonly id: string;
  readonly brand: string;
  readonly last4: string;
  readonly source: string;
  readonly isDefault: boolean;
  readonly shared: boolean;
  readonly createdAt: number | null;
}

export interface PaymentMethods {
  readonly paymentMethods: readonly PaymentMethod[];
  readonly defaultPaymentMethodId: string | null;
}

/** `GET /stockroom/v1/billing`. */
export interface Billing {
  readonly billingState: 'active' | 'soft_blocked';
  readonly defaultPaymentMethodId: string | null;
}

/** `GET /stockroom/v1/ledger`. */
export interface LedgerEntry {
  readonly id: string;
  readonly storeId: string | null;
  readonly kind: string;
  readonly amountCents: number;
  readonly currency: string;
  readonly paymentMethodId: string | null;
  readonly billingPlanId: string | null;
  readonly memo: string | null;
  readonly createdAt: number;
}
