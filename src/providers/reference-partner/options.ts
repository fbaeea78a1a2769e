import type { Kysely } from 'kysely';
import type { Dialect } from '../../db/database.js';
import type { SecretBox } from '../../crypto/secret-box.js';
import type { InvoiceReader } from './credit-purchases.js';
import type { HookDefaults } from './hooks.js';
import type { PartnerTables } from './tables.js';

/** How Stockroom (or `main.ts`) mounts the reference partner. */
export interface ReferencePartnerOptions {
  /** Holds the partner's own `ref_partner_` tables; run `migrateReferencePartner` on it first. */
  db: Kysely<any>;
  dialect: Dialect;
  /** Seals the resources' secrets and the recorded answers (which hold secrets) in its tables. */
  secretBox: SecretBox;
  /** The JWT `aud` it requires: the integration's client id, e.g. `oac_reference`. */
  clientId: string;
  /** The JWT `iss` it requires. A function because Stockroom learns its own URL after listening. */
  issuer: string | (() => string);
  /** Stockroom's JWKS URL; read on the first request, then cached (keys refetched on a new `kid`). */
  jwksUrl: string | (() => string);
  /** Clock in epoch milliseconds; default `Date.now`. */
  now?: () => number;
  /**
   * The `free-quota` test hook: live free-plan resources an installation may hold before the free
   * plan is withdrawn from it. Default `Infinity`, no quota: the hook is armed only on purpose.
   */
  freeResourceQuota?: number;
  /** Answer delay of `fail-slow` without `testing_delay_ms`, ms; default 5000. */
  slowAnswerDelayMs?: number;
  /** How long a `pending-` resource stays pending without `testing_ready_after_ms`, ms; default 2000. */
  pendingReadyAfterMs?: number;
  /** Reads Vercel's (Stockroom's) invoices for Provision Purchase; default: Get Invoice over HTTP with the installation's own access token. */
  readInvoice?: InvoiceReader;
  /**
   * Where the partner calls Stockroom back (partner-api.md §1.5): Stockroom's public URL. Default:
   * the issuer, which is Stockroom's public URL too.
   */
  stockroomUrl?: string | (() => string);
  /**
   * The integration's client secret: verifies webhook signatures and authenticates SSO code
   * exchanges. Without it both answer that the partner is not configured for them.
   */
  clientSecret?: string;
  /**
   * How often the jobs (usage, invoices, balances, finalization) look for due work, ms; default
   * 60000. The work itself is hourly and monthly by the clock (`now`); 0 starts no timer, for
   * callers that run the jobs through `onControl` only.
   */
  jobIntervalMs?: number;
  /**
   * How Request Secrets Rotation answers: `sync` (the default) 200 with the new secrets; `async`
   * 202 `{sync:false}`, then the new secrets are pushed to Update Resource Secrets at
   * `stockroomUrl` with the installation's access token (`secret-pushes.ts`).
   */
  rotation?: 'sync' | 'async';
  /** With `async` rotation: how often due and retried pushes are looked for, ms; default 250. */
  secretPushIntervalMs?: number;
  /** Receives the partner's controls (run the jobs now, refund an invoice) once it is mounted. */
  onControl?: (control: ReferencePartnerControl) => void;
}

/** What a host (a test, an operator's tool) can ask of a mounted reference partner. */
export interface ReferencePartnerControl {
  /** One pass of every job, now, with the partner's clock; no waiting for its timer. */
  runJobs(): Promise<import('./jobs.js').JobReport>;
  /** Asks Stockroom to refund `totalCents` (default: all) of a paid invoice, by Stockroom's invoice id. */
  refundInvoice(invoiceId: string, reason: string, totalCents?: number): Promise<void>;
  /** Records credit bought for a prepaid resource, as Provision Purchase does (without reading the invoice). */
  recordCreditPurchase(purchase: { readonly invoiceId: string; readonly installationId: string; readonly resourceId: string; readonly amountCents: number }): Promise<void>;
}

/** What the partner's routes work with: the options resolved to their defaults. */
export interface PartnerContext extends HookDefaults {
  readonly db: Kysely<PartnerTables>;
  readonly dialect: Dialect;
  readonly secretBox: SecretBox;
  readonly now: () => number;
  readonly freeResourceQuota: number;
  /** Aborted when the server closes, so delayed answers do not hold up a shutdown. */
  readonly closing: AbortSignal;
  readonly readInvoice: InvoiceReader | undefined;
  readonly rotation: 'sync' | 'async';
  /** Called once an asynchronous rotation is stored: push its secrets soon. */
  readonly secretsRotated: () => void;
}

export function resolveContext(options: ReferencePartnerOptions, closing: AbortSignal, secretsRotated: () => void = () => {}): PartnerContext {
  return {
    db: options.db as Kysely<PartnerTables>,
    dialect: options.dialect,
    secretBox: options.secretBox,
    now: options.now ?? Date.now,
    freeResourceQuota: options.freeResourceQuota ?? Infinity,
    slowAnswerDelayMs: options.slowAnswerDelayMs ?? 5000,
    pendingReadyAfterMs: options.pendingReadyAfterMs ?? 2000,
    closing,
    readInvoice: options.readInvoice,
    rotation: options.rotation ?? 'sync',
    secretsRotated,
  };
}
