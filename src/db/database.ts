import { chmodSync, closeSync, existsSync, mkdirSync, openSync } from 'node:fs';
import fs, { type FileHandle } from 'node:fs/promises';
import { dirname } from 'node:path';
import SqliteDatabase from 'better-sqlite3';
import { Kysely, PostgresDialect, sql } from 'kysely';
import pg from 'pg';
import type { DB } from './schema.js';
import { createGroupCommitSqliteDialect, type StorageFailedError, type WalSync } from './sqlite-group-commit.js';

export type Dialect = 'sqlite' | 'postgres';

export type DatabaseConfig =
  | { readonly kind: 'sqlite'; readonly path: string }
  | { readonly kind: 'postgres'; readonly url: string; readonly poolSize?: number };

export interface Database {
  readonly db: Kysely<DB>;
  readonly dialect: Dialect;
  destroy(): Promise<void>;
}

/**
 * Opens the one query layer over either database. This file and `errors.ts` are the only places
 * where SQLite and PostgreSQL differ (style.md, "Database").
 */
export function openDatabase(config: DatabaseConfig, options: OpenOptions = {}): Database {
  if (config.kind === 'sqlite') return openSqlite(config.path, options);
  return openPostgres(config.url, config.poolSize ?? 10);
}

/** Throws unless the database answers a trivial query: readiness (`/readyz`). */
export async function pingDatabase(db: Kysely<DB>): Promise<void> {
  await sql`select 1`.execute(db);
}

export interface OpenOptions {
  /**
   * Called once if the database stops for good after a failed disk sync (SQLite with its WAL
   * synced by Stockroom; docs/durability.md): every query fails from then on, and the process
   * should exit so that a restart recovers the database from its files.
   */
  readonly onStorageFailure?: (error: StorageFailedError) => void;
}

function openSqlite(path: string, options: OpenOptions): Database {
  if (path !== ':memory:') createOwnerOnly(path);
  const sqlite = new SqliteDatabase(path);
  // WAL lets readers run beside the writer. Durability is FULL's: every commit is on disk before
  // it is answered. In WAL mode the group-commit driver does FULL's fsync of the WAL itself, off
  // the event loop (see `WalSync`), so SQLite runs with NORMAL; where WAL is not available (an
  // in-memory database), SQLite keeps syncing inside COMMIT.
  const wal = sqlite.pragma('journal_mode = WAL', { simple: true }) === 'wal';
  const syncWal = wal && path !== ':memory:' ? walFileSync(`${path}-wal`) : undefined;
  if (path !== ':memory:') restrictToOwner([path, `${path}-wal`, `${path}-shm`]);
  sqlite.pragma(syncWal ? 'synchronous = NORMAL' : 'synchronous = FULL');
  sqlite.pragma('foreign_keys = ON');
  // Two Stockroom processes may share one file; wait for the other's write lock instead of failing.
  sqlite.pragma('busy_timeout = 5000');
  // Group commit: concurrent writes share one fsync instead of queueing for one each (issue 7).
  // No `PRAGMA optimize`: statistics taken while tables were small misled the planner once they
  // grew (a 10x slower idempotency-key delete); the indexes are chosen to win without statistics.
  const db = new Kysely<DB>({
    dialect: createGroupCommitSqliteDialect(sqlite, { ...(syncWal ? { syncWal } : {}), ...(options.onStorageFailure ? { onStorageFailure: options.onStorageFailure } : {}) }),
  });
  return { db, dialect: 'sqlite', destroy: () => db.destroy() };
}

/**
 * The database holds hashed tokens, sealed secrets and everything else Stockroom keeps: only its
 * owner may read it, whatever the umask (issue 13 §3). A missing directory is created 0700 and the
 * file 0600 before SQLite opens it; SQLite gives its `-wal` and `-shm` files the database file's
 * mode. An existing directory is left as it is (it may be shared); its files are tightened.
 */
function createOwnerOnly(path: string): void {
  mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
  if (!existsSync(path)) closeSync(openSync(path, 'a', 0o600));
}

/** Files from before this rule, or made under another umask, become owner-only at every open. */
function restrictToOwner(paths: string[]): void {
  for (const file of paths) if (existsSync(file)) chmodSync(file, 0o600);
}

/**
 * fdatasync of SQLite's `-wal` file, which exists as long as a connection of this process has the
 * database open in WAL mode (SQLite keeps the file and reuses it from the start after a checkpoint).
 */
function walFileSync(walPath: string): WalSync {
  let handle: Promise<FileHandle> | undefined;
  return {
    async sync() {
      handle ??= fs.open(walPath, 'r');
      try {
        await (await handle).datasync();
      } catch (error) {
        handle = undefined;
        throw error;
      }
    },
    async close() {
      const h = handle;
      handle = undefined;
      await (await h?.catch(() => undefined))?.close();
    },
  };
}

// pg returns int8 (bigint) as a string by default; our bigints are epoch milliseconds and cents,
// far below 2^53, so numbers are exact and both dialects return the same JS type.
pg.types.setTypeParser(20, (value) => Number(value));

function openPostgres(url: string, poolSize: number): Database {
  const pool = new pg.Pool({ connectionString: url, max: poolSize });
  // An idle client's error (server restart) must not crash the process; the pool replaces it.
  pool.on('error', () => {});
  // A client in use emits 'error' too when its connection drops mid-query (server restart,
  // pg_terminate_backend), and the pool listens only to idle ones: with no listener that event
  // would crash the process. The query itself is rejected separately and answered as a failure.
  pool.on('connect', (client) => client.on('error', () => {}));
  const db = new Kysely<DB>({ dialect: new PostgresDialect({ pool }) });
  return { db, dialect: 'postgres', destroy: () => db.destroy() };
}
