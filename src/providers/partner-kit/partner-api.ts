import type { BillingPlan } from './billing-plan.js';
import type { Answer, IdempotencyScope } from './idempotency.js';
import type { ResourceStatus } from './resource-status.js';
import type { ResourceWire } from './resource-wire.js';

/** The Upsert Installation body (partner-api.md §1.1 #1). */
export interface InstallationUpsert {
  readonly scopes: readonly string[];
  readonly acceptedPolicies: Readonly<Record<string, string>>;
  readonly credentials: { readonly access_token: string; readonly token_type: string };
  readonly account: Readonly<Record<string, unknown>>;
}

/** The Provision Resource body (partner-api.md §1.1 #5). */
export interface ProvisionRequest {
  readonly productId: string;
  readonly name: string;
  readonly metadata: Readonly<Record<string, unknown>>;
  readonly billingPlanId: string;
  readonly externalId?: string;
}

/** The Update Resource body (partner-api.md §1.1 #7); every field is optional. */
export interface ResourceUpdate {
  readonly name?: string;
  readonly metadata?: Readonly<Record<string, unknown>>;
  readonly billingPlanId?: string;
  /** Deprecated in the partner API; a provider may refuse it. */
  readonly status?: ResourceStatus;
}

/** The Request Secrets Rotation body (partner-api.md §1.1 #10). */
export interface RotationRequest {
  readonly reason?: string;
  /** Hours the old secrets stay valid, 0–720, fractions allowed. */
  readonly delayOldSecretsExpirationHours?: number;
}

/** Provision Purchase's answer (partner-api.md §1.1 #15): the balances after the purchase. */
export interface PurchaseAnswer {
  /** ISO 8601: when the balances were taken. */
  readonly timestamp: string;
  readonly balances: ReadonlyArray<{ readonly currencyValueInCents: number; readonly credit?: string; readonly nameLabel?: string; readonly resourceId?: string }>;
}

/** Update Installation's answer (partner-api.md §1.1 #3): the installation-level plan it is now on. */
export interface InstallationPlanAnswer {
  readonly billingPlan: BillingPlan;
}

/** An answer that may have been given before, under the same Idempotency-Key. */
export interface IdempotentAnswer {
  readonly answer: Answer;
  readonly replayed: boolean;
}

/**
 * The one interface a partner server implements: the partner API's operations (partner-api.md
 * §1.1), after the kit has checked the caller's JWT, parsed and validated the request, and read
 * its Idempotency-Key. The kit's routes (routes/*.ts) call these and render what they return or
 * throw (a `PartnerError`) in the partner API's shape.
 *
 * Implementations: the reference partner's virtual resources (reference-partner/reference-api.ts)
 * and the kit's real resources (managed-resources.ts), which PostgreSQL and Redis providers
 * reach through a `ResourceBackend` (backend.ts), the smaller interface a new real-server
 * provider implements.
 */
export interface PartnerApi {
  upsertInstallation(installationId: string, body: InstallationUpsert): Promise<void>;
  isLiveInstallation(installationId: string): Promise<boolean>;
  /**
   * Succeeds for an unknown or deleted installation too; `cascade` deletes its resources first.
   * `{finalized: false}` asks Vercel to wait for final invoices (partner-api.md §1.1 #4); nothing
   * (or `finalized: true`) means the deletion is final.
   * The partner then sends Finalize Installation once its final invoices are in.
   */
  deleteInstallation(installationId: string, cascade: boolean): Promise<{ readonly finalized: boolean } | void>;

  /**
   * Update Installation: moves the installation to the installation-level plan `billingPlanId`
   * (one of `installationPlans` with `scope: "installation"`), or refuses with a `PartnerError`
   * (400 for a plan it does not offer, 409 for a change it cannot make now). Setting the plan it
   * is already on succeeds again. Optional: a partner that bills only per resource leaves it out,
   * and the kit refuses every change with 400.
   */
  updateInstallation?(installationId: string, request: { readonly billingPlanId: string }): Promise<InstallationPlanAnswer>;
  /**
   * The installation-level plan a live installation is on, for Get Installation; null when it has
   * none (billed per resource). Stockroom reads it back when an Update Installation's answer was
   * lost. Required with `updateInstallation` (`servePartnerApi` refuses to start without it);
   * left out with it, the kit answers `{}`.
   */
  installationPlan?(installationId: string): Promise<BillingPlan | null>;
  /** A product's plans; `metadata` is the caller's form input as JSON text; 404 for an unknown product. */
  productPlans(productSlug: string, metadata: string | undefined, callerInstallationId: string | null): Promise<BillingPlan[]>;
  /** The plans a live installation may choose from. */
  installationPlans(installationId: string): Promise<BillingPlan[]>;
  resourcePlans(installationId: string, resourceId: string, metadata: string | undefined): Promise<BillingPlan[]>;

  provisionResource(installationId: string, request: ProvisionRequest, scope: IdempotencyScope | null): Promise<IdempotentAnswer>;
  /** The installation's resources, oldest first; only `ids` when given, unknown ids left out. */
  listResources(installationId: string, ids: readonly string[] | undefined): Promise<ResourceWire[]>;
  /** The resource as the partner API shows it; 404 when it does not exist. */
  getResource(installationId: string, resourceId: string): Promise<ResourceWire>;
  updateResource(installationId: string, resourceId: string, update: ResourceUpdate): Promise<ResourceWire>;
  /** Succeeds for an unknown or deleted resource too, so a retry is safe. */
  deleteResource(installationId: string, resourceId: string): Promise<void>;
  rotateSecrets(installationId: string, resourceId: string, request: RotationRequest, scope: IdempotencyScope | null): Promise<IdempotentAnswer>;
  /**
   * Provision Purchase: the paid prepayment invoice `invoiceId` bought credits; credit them (once
   * per invoice: Stockroom repeats the call after a crash) and answer the balances. Optional: a
   * partner without prepayment plans leaves it out and the route is not served.
   */
  provisionPurchase?(installationId: string, request: { readonly invoiceId: string }): Promise<PurchaseAnswer>;
}
