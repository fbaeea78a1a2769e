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
  /** Reads Vercel's (Stockroom's) invoices for Provision Purchase; without it that call is refused. */
  readInvoice?: InvoiceReader;
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
}

export function resolveContext(options: ReferencePartnerOptions, closing: AbortSignal): PartnerContext {
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
  };
}
