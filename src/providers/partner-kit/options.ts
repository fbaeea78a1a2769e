import type { FastifyBaseLogger } from 'fastify';
import type { Kysely } from 'kysely';
import type { Dialect } from '../../db/database.js';
import type { SecretBox } from '../../crypto/secret-box.js';
import type { KitProduct, ResourceBackend } from './backend.js';
import { TablePrefixPlugin } from './table-prefix-plugin.js';
import { KIT_TABLE_NAMES, type KitTables } from './tables.js';

/** How Stockroom mounts a provider built on the partner kit. */
export interface PartnerKitOptions {
  /** Stockroom's database; the provider's tables live in it under `tablePrefix`. Run `migratePartnerKit` first. */
  readonly db: Kysely<any>;
  readonly dialect: Dialect;
  /** E.g. `pg_provider_`. */
  readonly tablePrefix: string;
  /** The JWT `aud` it requires: the integration's client id. */
  readonly clientId: string;
  /** The JWT `iss` it requires. A function because Stockroom learns its own URL after listening. */
  readonly issuer: string | (() => string);
  /** Stockroom's JWKS URL. */
  readonly jwksUrl: string | (() => string);
  /** Seals the passwords the provider must keep (to answer a retried request with the same secrets). */
  readonly secretBox: SecretBox;
  readonly backend: ResourceBackend;
  readonly products: readonly KitProduct[];
  /** How often due revocations are looked for, ms; default 2000. */
  readonly revocationIntervalMs?: number;
  /** Clock in epoch milliseconds; default `Date.now`. */
  readonly now?: () => number;
}

/** What the kit's routes and jobs work with. */
export interface KitContext {
  readonly db: Kysely<KitTables>;
  readonly dialect: Dialect;
  readonly secretBox: SecretBox;
  readonly backend: ResourceBackend;
  readonly products: readonly KitProduct[];
  readonly now: () => number;
  readonly log: FastifyBaseLogger;
}

export function resolveKitContext(options: PartnerKitOptions, log: FastifyBaseLogger): KitContext {
  return {
    db: options.db.withPlugin(new TablePrefixPlugin(options.tablePrefix, KIT_TABLE_NAMES)) as Kysely<KitTables>,
    dialect: options.dialect,
    secretBox: options.secretBox,
    backend: options.backend,
    products: options.products,
    now: options.now ?? Date.now,
    log,
  };
}
