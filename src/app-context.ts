import type { Kysely } from 'kysely';
import type { Logger } from 'pino';
import type { SecretBox } from './crypto/secret-box.js';
import type { DB } from './db/schema.js';
import type { Dialect } from './db/database.js';
import type { Catalog } from './catalog/catalog.js';
import type { PaymentProcessor } from './payments/payment-processor.js';
import type { PartnerClientFactory } from './providers/partner-client.js';
import type { Signer } from './providers/signing-keys.js';

/**
 * The app's world: the adapters and settings that routes, use cases, jobs and bootstrap code use.
 * Built once by `server.ts` (`createStockroom`). It lives outside `http/` because everything
 * depends on it and `http/` depends on everything else, never the other way (ARCHITECTURE.md).
 */
export interface AppContext {
  readonly db: Kysely<DB>;
  readonly dialect: Dialect;
  readonly secretBox: SecretBox;
  readonly logger: Logger;
  /** Epoch milliseconds; injectable so tests can move time. */
  readonly now: () => number;
  /** The URL this server is reached at (known only after listen when not configured). */
  readonly publicUrl: () => string;
  readonly catalog: Catalog;
  readonly signer: Signer;
  /** Stockroom's side of the partner API, for every provider. */
  readonly partners: PartnerClientFactory;
  /** Resolves a catalog provider URL (`builtin:reference` → this server's mount) to a base URL. */
  readonly providerBaseUrl: (configured: string) => string;
  readonly payments: PaymentProcessor;
  /** Most stores a team may have `provisioning` at once, on every create path; 0 or absent: no limit. */
  readonly provisioningLimitPerTeam?: number;
  /** How long a rotated installation access token stays valid; 24 h when absent (docs/partner-calls.md). */
  readonly installationTokenOverlapMs?: number;
  /** After an uninstall answered `{finalized:false}`, how long the partner's billing calls are still taken; default 24 h. */
  readonly finalizationWaitMs?: number;
  /** How long an invoice's issuer or refunder holds it before recovery may take it over; 60 s when absent (docs/invoices.md). */
  readonly invoiceHoldMs?: number;
  /** How long a threshold's purchase holds the threshold before recovery may take it over; 60 s when absent (docs/balances-and-thresholds.md). */
  readonly topUpHoldMs?: number;
}
