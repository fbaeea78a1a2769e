import { readFileSync, writeFileSync } from 'node:fs';
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { sql, type Kysely } from 'kysely';
import { openDatabase, type Database } from '../../src/db/database.js';
import { migrateToLatest } from '../../src/db/migrate.js';
import { migratePartnerKit } from '../../src/providers/partner-kit/migrate.js';
import { migrateReferencePartner } from '../../src/providers/reference-partner/migrate.js';
import { createTestDatabase, dialectsToTest, type TestDatabase } from '../helpers/databases.js';

/**
 * Pins the schema every migration produces, on both dialects, to the text checked in beside this
 * file. Its real value is as a guard: a migration that has shipped has run on databases we cannot
 * reach, so it must produce the same DDL forever. Editing an old migration (or a helper it uses,
 * such as src/db/migrations/columns.ts) changes this text and fails here; a schema change belongs
 * in a new migration, whose effect is then added to the snapshot on purpose with
 * `UPDATE_SCHEMA_SNAPSHOTS=1` (review the diff).
 *
 * Covers Stockroom's migrations, the reference partner's and the partner kit's (under the prefixes
 * the built-in providers use), all in one database as they run in production.
 */
const SNAPSHOT_DIR = new URL('./schema-snapshots/', import.meta.url);
const KIT_PREFIXES = ['pg_provider_', 'redis_provider_'];

async function migrateEverything(db: Kysely<any>): Promise<void> {
  await migrateToLatest(db);
  await migrateReferencePartner(db);
  for (const prefix of KIT_PREFIXES) await migratePartnerKit(db, prefix);
}

/** SQLite keeps each table's and index's CREATE statement as written: the DDL itself. */
async function sqliteSchema(db: Kysely<any>): Promise<string[]> {
  const { rows } = await sql<{ type: string; name: string; sql: string | null }>`
    select type, name, sql from sqlite_master where name not like 'sqlite_%' order by type, name`.execute(db);
  return rows.map((r) => `${r.type} ${r.name}\n${r.sql ?? '(implicit)'}\n`);
}

/** PostgreSQL keeps no DDL text: its catalog's columns, indexes and constraints stand for it. */
async function postgresSchema(db: Kysely<any>): Promise<string[]> {
  const columns = await sql<Record<string, unknown>>`
    select table_name, column_name, data_type, is_nullable, column_default
    from information_schema.columns where table_schema = 'public'
    order by table_name, ordinal_position`.execute(db);
  const indexes = await sql<Record<string, unknown>>`
    select tablename, indexname, indexdef from pg_indexes where schemaname = 'public'
    order by tablename, indexname`.execute(db);
  const constraints = await sql<Record<string, unknown>>`
    select conrelid::regclass::text as table_name, conname, pg_get_constraintdef(oid) as definition
    from pg_constraint where connamespace = 'public'::regnamespace
    order by conrelid::regclass::text, conname`.execute(db);
  const line = (kind: string, row: Record<string, unknown>) => `${kind} ${Object.values(row).map((v) => (v === null ? 'NULL' : String(v))).join(' | ')}`;
  return [
    ...columns.rows.map((r) => line('column', r)),
    ...indexes.rows.map((r) => line('index', r)),
    ...constraints.rows.map((r) => line('constraint', r)),
  ];
}

for (const dialect of dialectsToTest()) {
  describe(`schema snapshot (${dialect})`, () => {
    let testDb: TestDatabase;
    let database: Database;
    before(async () => {
      testDb = await createTestDatabase(dialect);
      database = dialect === 'sqlite' ? openDatabase({ kind: 'sqlite', path: ':memory:' }) : openDatabase({ kind: 'postgres', url: testDb.url! });
    });
    after(async () => {
      await database.destroy();
      await testDb.drop();
    });

    test('every migration together produces exactly the checked-in schema', async () => {
      await migrateEverything(database.db);
      const actual = `${(dialect === 'sqlite' ? await sqliteSchema(database.db) : await postgresSchema(database.db)).join('\n')}\n`;
      const file = new URL(`${dialect}.txt`, SNAPSHOT_DIR);
      if (process.env.UPDATE_SCHEMA_SNAPSHOTS === '1') writeFileSync(file, actual);
      assert.equal(actual, readFileSync(file, 'utf8'), `the schema differs from test/db/schema-snapshots/${dialect}.txt: a shipped migration changed?`);
    });
  });
}
