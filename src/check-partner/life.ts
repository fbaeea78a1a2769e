import type { CheckDefinition } from './check-result.js';
import type { CheckScope } from './check-scope.js';
import type { Exchange, PartnerHttp, PartnerRequest } from './partner-http.js';
import type { StandInVercel } from './stand-in-vercel.js';
import { credentialValues } from './secret-leaks.js';
import type { TokenMint } from './token-mint.js';
import { secretEntries } from './wire-rules.js';

/** What the person asked for on the command line, as the checks use it. */
export interface CheckSettings {
  /** The partner API's base URL; every request goes there and nowhere else. */
  readonly url: string;
  readonly clientId: string;
  readonly product: string;
  readonly metadata: Readonly<Record<string, unknown>>;
  /** The paid plan to provision; default the first paid plan offered. */
  readonly planId?: string;
  readonly readyTimeoutMs: number;
  readonly callbackTimeoutMs: number;
  readonly timeoutMs: number;
  readonly slowMs: number;
  readonly keep: boolean;
  /** Starts every name the checker gives a resource, so that people can find and delete them. */
  readonly prefix: string;
}

/** A resource the checker created, followed from provision to deletion. */
export interface TrackedResource {
  /** `stray`: made where the partner should have refused or replayed; only the cleanup touches it. */
  readonly role: 'free' | 'paid' | 'stray';
  readonly id: string;
  name: string;
  status: string;
  readonly planId: string;
  /** The secrets the provision answered, to compare a rotation with; kept in memory only. */
  readonly secrets: ReadonlyArray<{ readonly name: string; readonly value: string }>;
  /** The provision request, replayed by `provision-idempotent`. */
  readonly provision: { readonly body: Readonly<Record<string, unknown>>; readonly idempotencyKey: string };
  deleted: boolean;
}

/** The state of one checked life: what was installed and created, and by whom. */
export interface Life {
  readonly settings: CheckSettings;
  readonly http: PartnerHttp;
  readonly mint: TokenMint;
  readonly vercel: StandInVercel;
  /** Aborted when the person stops the run. */
  readonly signal: AbortSignal;
  readonly runId: string;
  /** The installation the life runs in, and a second one whose token must not open the first's resources. */
  readonly installationId: string;
  readonly otherInstallationId: string;
  readonly accessToken: string;
  readonly otherAccessToken: string;
  /** The plan list the provisions choose from (the first well-formed one seen). */
  plans?: readonly Record<string, unknown>[];
  /** List Billing Plans For Installation's plans, when it answered a well-formed list. */
  installationPlans?: readonly Record<string, unknown>[];
  readonly resources: TrackedResource[];
  /** Installations upserted and not yet deleted. */
  readonly liveInstallations: Set<string>;
  /**
   * Values no report may show and no answer should echo: the credentials among the secrets seen,
   * the installations' access tokens and every token the checker signed. Reports mask them
   * wherever they appear; the leak warnings look for them.
   */
  readonly sensitive: Set<string>;
  /** Answers of optional endpoints the partner does not serve: their bodies are not judged. */
  readonly notServed: Set<Exchange>;
  /** Set by `rotate-secrets` when the partner answered 202. */
  asyncRotation?: { readonly resource: TrackedResource; readonly requestedAt: number };
}

/** One named step of the life. */
export interface Check extends CheckDefinition {
  run(scope: CheckScope, life: Life): Promise<void>;
}

/** Remembers the credentials among `secrets` (any shape), before anything is judged or reported. */
export function rememberSecrets(life: Life, secrets: unknown): void {
  for (const value of credentialValues(secretEntries(secrets))) life.sensitive.add(value);
}

/** Resource names, `<prefix>-<run>-<role>`: recognisable, and unique per run. */
export function resourceName(life: Life, role: string): string {
  return `${life.settings.prefix}-${life.runId}-${role}`;
}

/** The resources still live at the partner, in creation order. */
export function liveResources(life: Life): TrackedResource[] {
  return life.resources.filter((r) => !r.deleted);
}

/** Get Resource with a system token, as Vercel re-reads a resource. */
export async function getResourceRequest(life: Life, resourceId: string): Promise<PartnerRequest> {
  return { method: 'GET', path: paths.resource(life.installationId, resourceId), token: await life.mint.system(life.installationId) };
}

/** Paths of the partner API. */
export const paths = {
  installation: (installationId: string) => `/v1/installations/${encodeURIComponent(installationId)}`,
  resources: (installationId: string) => `/v1/installations/${encodeURIComponent(installationId)}/resources`,
  resource: (installationId: string, resourceId: string) => `/v1/installations/${encodeURIComponent(installationId)}/resources/${encodeURIComponent(resourceId)}`,
  productPlans: (product: string) => `/v1/products/${encodeURIComponent(product)}/plans`,
  installationPlans: (installationId: string) => `/v1/installations/${encodeURIComponent(installationId)}/plans`,
  rotate: (installationId: string, resourceId: string) => `/v1/installations/${encodeURIComponent(installationId)}/resources/${encodeURIComponent(resourceId)}/secrets/rotate`,
};

/** The statuses that say "this optional endpoint is not served". */
const NOT_SERVED = [404, 405, 501];

/** Skips the check when an optional endpoint is not served, keeping its answer out of error-bodies. */
export function skipWhenNotServed(scope: CheckScope, life: Life, exchange: Exchange, why: string, statuses: readonly number[] = NOT_SERVED): void {
  if (exchange.status === undefined || !statuses.includes(exchange.status)) return;
  life.notServed.add(exchange);
  scope.skip(`not served (${exchange.status}); ${why}`);
}
