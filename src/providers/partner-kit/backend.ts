import type { BillingPlan } from './billing-plan.js';
import type { Secret } from './secret.js';

/**
 * What a plan allows on the real server, e.g. `{ connectionLimit: 5 }`. Each backend reads the
 * keys it knows; the partner API never sees them.
 */
export type PlanLimits = Readonly<Record<string, number>>;

/** A plan as the provider sells it: the partner API's BillingPlan and what it enforces. */
export interface KitPlan {
  readonly billingPlan: BillingPlan;
  readonly limits: PlanLimits;
}

/** A product the provider offers; the first free plan in `plans` is the one free-plan discovery picks. */
export interface KitProduct {
  /** The partner product slug, sent as `productId` when provisioning. */
  readonly slug: string;
  readonly plans: readonly KitPlan[];
}

/** What the backend knows of a resource: its id and the name of its objects on the server. */
export interface BackendResource {
  readonly id: string;
  /** `sr_<base36>`: safe as an unquoted identifier, quoted anyway. */
  readonly handle: string;
}

/** One login and its password; the password is a secret and is never logged. */
export interface Credential {
  readonly generation: number;
  readonly login: string;
  readonly password: string;
}

/**
 * The real server behind a provider (a PostgreSQL cluster, a Redis server): the one interface a
 * new real-resource provider implements. The kit (`managedResourcesApi`) does the rest of the
 * partner API around it; a new provider is such a backend, its products and a catalog entry
 * (docs/partner-kit.md, "Writing a new provider"). Every method must be
 * idempotent and converge: it may run again after a crash, a timeout or a concurrent retry, so
 * "already exists" and "already gone" are successes, and existing objects are brought back to
 * the wanted state.
 */
export interface ResourceBackend {
  /** Shown in messages and logs, e.g. `PostgreSQL`. */
  readonly serverName: string;
  /** The login of a credential generation: a role per generation, or one user for all. */
  loginFor(handle: string, generation: number): string;
  /** Makes the resource with its first credential. */
  create(resource: BackendResource, credential: Credential, limits: PlanLimits): Promise<void>;
  /** Adds a credential beside the current ones (a rotation); the old ones stay valid. */
  addCredential(resource: BackendResource, credential: Credential, limits: PlanLimits): Promise<void>;
  /** Makes a credential invalid and ends the sessions it opened, where the server can tell them apart. */
  revokeCredential(resource: BackendResource, credential: Credential): Promise<void>;
  /** Applies a plan's limits to the resource and its valid logins (a plan change). */
  applyLimits(resource: BackendResource, logins: readonly string[], limits: PlanLimits): Promise<void>;
  /** Removes the resource, its logins and its data. */
  destroy(resource: BackendResource, logins: readonly string[]): Promise<void>;
  /** The secrets handed to Stockroom for this credential. */
  secrets(resource: BackendResource, credential: Credential): Secret[];
  close(): Promise<void>;
}
