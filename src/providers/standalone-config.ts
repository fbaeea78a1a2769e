import { dirname, join } from 'node:path';
import { loadOrCreateLocalKey } from '../crypto/local-key.js';
import type { DatabaseConfig } from '../db/database.js';

/** What every standalone partner's config says: where it listens, whom it trusts, where it keeps its own tables. */
export interface StandaloneServerConfig {
  readonly port: number;
  readonly host: string;
  /** Opened with Stockroom's own `openDatabase`. */
  readonly database: DatabaseConfig;
  /** The JWT `aud` it requires. */
  readonly clientId: string;
  /** The JWT `iss` it requires. */
  readonly issuer: string;
  readonly jwksUrl: string;
  /** Absent: SQLite's generated key file (`sealingKey`). */
  readonly encryptionKey?: string;
  readonly logLevel: string;
}

/** The key that seals what its tables hold: the configured one, or for SQLite a key file `keyFile` beside the database (made on first start). */
export function sealingKey(config: StandaloneServerConfig, keyFile: string): string {
  return config.encryptionKey ?? loadOrCreateLocalKey(join(config.database.kind === 'sqlite' ? dirname(config.database.path) : '.', keyFile));
}
