import { createHash, randomBytes } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { Kysely, PostgresDialect } from 'kysely';
import pg from 'pg';
import { migrateToLatest } from '../../src/db/migrate.js';

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
  const template = await migratedTemplate(adminUrl);
  await withAdmin(adminUrl, (c) => c.query(`CREATE DATABASE ${name} TEMPLATE ${template}`));
  const url = databaseUrl(adminUrl, name);
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

function databaseUrl(adminUrl: string, name: string): URL {
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  return url;
}

const MIGRATIONS_DIR = resolve(dirname(fileURLToPath(import.meta.url)), '../../src/db/migrations');

/**
 * The PostgreSQL database the test databases are copied from: empty but for Stockroom's schema,
 * i.e. what its migrations make, named after the migrations' sources so that a changed migration
 * makes a new one. Copying it (CREATE DATABASE … TEMPLATE) replaces running every migration again
 * in each test's database; the server's start still runs them and finds nothing to do, as on any
 * restart. Made once per PostgreSQL server and set of migrations, under an advisory lock, since the
 * test files run in parallel processes; kept for the next run.
 */
let template: Promise<string> | undefined;
function migratedTemplate(adminUrl: string): Promise<string> {
  template ??= makeTemplate(adminUrl).catch((error: unknown) => {
    template = undefined;
    throw error;
  });
  return template;
}

async function makeTemplate(adminUrl: string): Promise<string> {
  const hash = createHash('sha256');
  for (const file of readdirSync(MIGRATIONS_DIR).sort()) hash.update(file).update(readFileSync(join(MIGRATIONS_DIR, file)));
  const name = `stockroom_test_template_${hash.digest('hex').slice(0, 16)}`;
  await withAdmin(adminUrl, async (admin) => {
    await admin.query("SELECT pg_advisory_lock(hashtext('stockroom test template'))");
    try {
      const ready = await admin.query('SELECT 1 FROM pg_database WHERE datname = $1 AND datistemplate', [name]);
      if (ready.rowCount) return;
      // A template left unfinished (a run killed while making it) is made again.
      await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await admin.query(`CREATE DATABASE ${name}`);
      const db = new Kysely<unknown>({ dialect: new PostgresDialect({ pool: new pg.Pool({ connectionString: databaseUrl(adminUrl, name).toString(), max: 1 }) }) });
      try {
        await migrateToLatest(db);
      } finally {
        await db.destroy();
      }
      // Marked a template only once complete: the mark is what the check above trusts.
      await admin.query(`ALTER DATABASE ${name} IS_TEMPLATE true`);
    } finally {
      await admin.query("SELECT pg_advisory_unlock(hashtext('stockroom test template'))");
    }
  });
  return name;
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
