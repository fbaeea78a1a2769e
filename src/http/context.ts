import type { Kysely } from 'kysely';
import type { Logger } from 'pino';
import type { SecretBox } from '../crypto/secret-box.js';
import type { DB } from '../db/schema.js';
import type { Dialect } from '../db/database.js';

/**
 * What route plugins receive: the adapters they may use. Built once by `app.ts`.
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
}
