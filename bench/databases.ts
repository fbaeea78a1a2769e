import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import type { BenchDatabase } from './seed.js';

export type DatabaseKind = 'sqlite' | 'postgres';

/** Where one Stockroom child of the bench keeps its data, and the environment that says so. */
export interface PreparedDatabase {
  readonly database: BenchDatabase;
  readonly dataDir: string;
  readonly env: Record<string, string>;
  drop(): Promise<void>;
}

/**
 * A temp directory for SQLite, or a fresh database on the PostgreSQL server of `adminUrl` (a user
 * who may create databases); both dropped after. Used by `npm run bench` and bench/compare.ts.
 */
export async function prepareDatabase(kind: DatabaseKind, adminUrl: string | undefined): Promise<PreparedDatabase> {
  const dataDir = mkdtempSync(join(tmpdir(), `stockroom-bench-${kind}-`));
  const removeDir = () => rmSync(dataDir, { recursive: true, force: true });
  const common = {
    STOCKROOM_DATA_DIR: dataDir,
    // The reference partner withdraws its free plan after 3 free resources per installation; the
    // bench creates thousands, so it lifts that quota (README, "Configuration").
    STOCKROOM_REFERENCE_FREE_QUOTA: 'unlimited',
    LOG_LEVEL: 'info',
  };
  if (kind === 'sqlite') {
    return { database: { kind, path: join(dataDir, 'stockroom.db') }, dataDir, env: common, drop: async () => removeDir() };
  }
  if (!adminUrl) throw new Error('BENCH_DATABASE_URL is not set');
  const name = `stockroom_bench_${randomBytes(6).toString('hex')}`;
  await withClient(adminUrl, (c) => c.query(`CREATE DATABASE ${name}`));
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  return {
    database: { kind, url: url.toString() },
    dataDir,
    env: { ...common, DATABASE_URL: url.toString(), STOCKROOM_ENCRYPTION_KEY: randomBytes(32).toString('hex') },
    drop: async () => {
      removeDir();
      await withClient(adminUrl, (c) => c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`));
    },
  };
}

export async function withClient<T>(url: string, fn: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}
