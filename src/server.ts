import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import type { AnyFastify } from './http/app-type.js';
import pino, { type Logger } from 'pino';
import { buildApp } from './app.js';
import { ensureBootstrap, type BootstrapResult } from './bootstrap.js';
import type { Config } from './config.js';
import { createSecretBox } from './crypto/secret-box.js';
import { openDatabase, type Database } from './db/database.js';
import { migrateToLatest } from './db/migrate.js';
import type { AppContext } from './http/context.js';

export interface Stockroom {
  readonly app: AnyFastify;
  readonly database: Database;
  readonly ctx: AppContext;
  readonly bootstrap: BootstrapResult;
  /** Listens and returns the URL; the public URL defaults to it. */
  listen(): Promise<string>;
  close(): Promise<void>;
}

export interface StockroomOptions {
  readonly logger?: Logger;
  readonly now?: () => number;
}

/**
 * Opens the database, applies migrations, bootstraps the first owner and builds the app: every
 * start, in `main.ts` or in a test, goes through here so both run the same code.
 */
export async function createStockroom(config: Config, options: StockroomOptions = {}): Promise<Stockroom> {
  const logger = options.logger ?? pino({
    level: config.logLevel,
    redact: { paths: ['req.headers.authorization', 'headers.authorization', '*.token', '*.bearerToken', '*.secrets', '*.password'], censor: '[redacted]' },
  });
  const database = openDatabase(config.database);
  try {
    await migrateToLatest(database.db);
    const now = options.now ?? Date.now;
    const bootstrap = await ensureBootstrap(database.db, { ...config.bootstrap, now: now() });
    let listeningUrl: string | undefined;
    const ctx: AppContext = {
      db: database.db,
      dialect: database.dialect,
      secretBox: createSecretBox(config.encryptionKey ?? loadOrCreateLocalKey(config.dataDir)),
      logger,
      now,
      publicUrl: () => config.publicUrl ?? listeningUrl ?? `http://${config.host}:${config.port}`,
    };
    const app = await buildApp(ctx, logger);
    return {
      app,
      database,
      ctx,
      bootstrap,
      async listen() {
        const address = await app.listen({ port: config.port, host: config.host });
        const port = (app.server.address() as { port: number }).port;
        listeningUrl = `http://${config.host.includes(':') ? `[${config.host}]` : config.host}:${port}`;
        return address.startsWith('http') ? listeningUrl : address;
      },
      async close() {
        await app.close();
        await database.destroy();
      },
    };
  } catch (error) {
    await database.destroy();
    throw error;
  }
}

/**
 * Zero-configuration SQLite needs a key for secrets at rest: one is generated on the first start
 * and kept beside the database, readable by this user only.
 */
function loadOrCreateLocalKey(dataDir: string): string {
  const path = join(dataDir, 'encryption.key');
  if (existsSync(path)) return readFileSync(path, 'utf8').trim();
  mkdirSync(dataDir, { recursive: true });
  const key = randomBytes(32).toString('hex');
  writeFileSync(path, `${key}\n`, { mode: 0o600, flag: 'wx' });
  chmodSync(path, 0o600);
  return key;
}
