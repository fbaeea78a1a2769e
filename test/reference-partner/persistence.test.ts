import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { sql } from 'kysely';
import { dialectsToTest, openTestDatabase, startPartner } from './harness.js';
import { migrateReferencePartner } from '../../src/providers/reference-partner/index.js';

for (const dialect of dialectsToTest()) {
  describe(`reference partner state in the database (${dialect})`, () => {
    test('migrations create the ref_partner_ tables and running them again changes nothing', async (t) => {
      const database = await openTestDatabase(dialect);
      t.after(() => database.destroy());
      await migrateReferencePartner(database.db);
      await migrateReferencePartner(database.db);
      // PostgreSQL introspection lists every schema's tables, other test runs' included.
      const tables = (await database.db.introspection.getTables()).map((table) => table.name);
      for (const name of [
        'ref_partner_idempotency_keys',
        'ref_partner_installations',
        'ref_partner_migration',
        'ref_partner_migration_lock',
        'ref_partner_resources',
      ]) {
        assert.ok(tables.includes(name), name);
      }
      const applied = await database.db.selectFrom('ref_partner_migration').select('name').execute();
      assert.deepEqual(applied.map((m) => m.name), ['0001-reference-partner', '0002-idempotency-expiry-index']);
    });

    test('migrations run beside another migrator in the same database', async (t) => {
      const database = await openTestDatabase(dialect);
      t.after(() => database.destroy());
      // Stockroom's own migrator keeps its history in kysely_migration; the partner must not read it.
      await sql`create table kysely_migration (name varchar(255) primary key, timestamp varchar(255) not null)`.execute(database.db);
      await sql`insert into kysely_migration values ('0001-accounts', '2026-01-01T00:00:00.000Z')`.execute(database.db);
      await migrateReferencePartner(database.db);
      const applied = await database.db.selectFrom('ref_partner_migration').select('name').execute();
      assert.deepEqual(applied.map((m) => m.name), ['0001-reference-partner', '0002-idempotency-expiry-index']);
    });

    test('a second server on the same database (a replica, or a restart) sees the same resources', async (t) => {
      const database = await openTestDatabase(dialect);
      t.after(() => database.destroy());
      const first = await startPartner(dialect, { database });
      const id = await first.install();
      const created = await first.provision(id, { name: 'pending-shared', metadata: { region: 'iad1', testing_ready_after_ms: 1000 } });
      assert.equal(created.body.status, 'pending');
      const replayKey = { 'idempotency-key': 'across-replicas' };
      const keyed = await first.provision(id, { name: 'keyed' }, replayKey);
      await first.close();

      const second = await startPartner(dialect, { database });
      t.after(() => second.close());
      const path = `/v1/installations/${id}/resources/${created.body.id}`;
      // The status is computed from the stored creation time, not from memory of the first server.
      second.clock.now = first.clock.now;
      assert.equal((await second.request('GET', path)).body.status, 'pending');
      second.clock.advance(1000);
      assert.equal((await second.request('GET', path)).body.status, 'ready');
      assert.equal((await second.request('GET', `/v1/installations/${id}`)).status, 200);
      const replayed = await second.provision(id, { name: 'keyed' }, replayKey);
      assert.equal(replayed.headers.get('idempotent-replayed'), 'true');
      assert.equal(replayed.body.id, keyed.body.id);
    });
  });
}
