import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import pg from 'pg';

/**
 * The dialects every HTTP suite runs against: SQLite always, PostgreSQL too when
 * TEST_DATABASE_URL names a server (CI sets it; style.md "Testing habits").
 */
export type TestDialect = 'sqlite' | 'postgres';
export const DIALECTS: TestDialect[] = process.env.TEST_DATABASE_URL ? ['sqlite', 'postgres'] : ['sqlite'];

/**
 * Why a PostgreSQL-only test cannot run here, or false. Give it to each test (`{ skip: NO_POSTGRES }`),
 * not to their `describe`: node's test runner counts the tests of a skipped describe nowhere, so
 * the run's summary would say "skipped 0" for tests that did not run.
 */
export const NO_POSTGRES: string | false = process.env.TEST_DATABASE_URL ? false : 'TEST_DATABASE_URL is not set';

let reportedSkippedPostgres = false;

/**
 * DIALECTS, for a file's `for (const dialect of dialectsToTest())`. Where PostgreSQL is not
 * available this also registers one skipped test for the file's PostgreSQL variants (once per
 * file), so that the run's summary counts what did not run instead of leaving it out silently.
 */
export function dialectsToTest(): TestDialect[] {
  if (NO_POSTGRES && !reportedSkippedPostgres) {
    reportedSkippedPostgres = true;
    test('the PostgreSQL variants of this file', { skip: NO_POSTGRES }, () => {});
  }
  return DIALECTS;
}

export interface TestDatabase {
  /** Environment for loadConfig: DATABASE_URL for PostgreSQL, STOCKROOM_DATA_DIR always. */
  readonly env: Record<string, string>;
  readonly dataDir: string;
  readonly url?: string;
  drop(): Promise<void>;
}

/** A fresh, empty database of the dialect: a temp directory, or a new PostgreSQL database. */
export async function createTestDatabase(dialect: TestDialect): Promise<TestDatabase> {
  const dataDir = mkdtempSync(join(tmpdir(), 'stockroom-test-'));
  const cleanDir = () => rmSync(dataDir, { recursive: true, force: true });
  if (dialect === 'sqlite') {
    return { env: { STOCKROOM_DATA_DIR: dataDir }, dataDir, drop: async () => cleanDir() };
  }
  const adminUrl = process.env.TEST_DATABASE_URL;
  if (!adminUrl) throw new Error('TEST_DATABASE_URL is not set');
  const name = `stockroom_test_${randomBytes(6).toString('hex')}`;
  await withAdmin(adminUrl, (c) => c.query(`CREATE DATABASE ${name}`));
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  return {
    env: { STOCKROOM_DATA_DIR: dataDir, DATABASE_URL: url.toString(), STOCKROOM_ENCRYPTION_KEY: randomBytes(32).toString('hex') },
    dataDir,
    url: url.toString(),
    drop: async () => {
      cleanDir();
      await withAdmin(adminUrl, (c) => c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`));
    },
  };
}

async function withAdmin<T>(url: string, fn: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}
