import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { sql } from 'kysely';
import { dialectsToTest, openTestDatabase, startPartner } from './harness.js';
import { migrateReferencePartner } from '../../src/providers/reference-partner/index.js';
import { createHash, randomBytes } from 'node:crypto';
import { Migrator } from 'kysely';
import { createSecretBox } from '../../src/crypto/secret-box.js';
import * as m0001 from '../../src/providers/reference-partner/migrations/0001-reference-partner.js';
import * as m0002 from '../../src/providers/reference-partner/migrations/0002-idempotency-expiry-index.js';

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
        'ref_partner_credit_purchases',
        'ref_partner_idempotency_keys',
        'ref_partner_installations',
        'ref_partner_migration',
        'ref_partner_migration_lock',
        'ref_partner_resources',
        'ref_partner_invoices',
        'ref_partner_credit_purchases',
        'ref_partner_webhook_events',
      ]) {
        assert.ok(tables.includes(name), name);
      }
      const applied = await database.db.selectFrom('ref_partner_migration').select('name').execute();
      assert.deepEqual(applied.map((m) => m.name), ['0001-reference-partner', '0002-idempotency-expiry-index', '0003-hash-access-tokens', '0004-credit-purchases', '0005-partner-calls-back', '0006-secret-pushes', '0007-installation-plans']);
    });

    test('migrations run beside another migrator in the same database', async (t) => {
      const database = await openTestDatabase(dialect);
      t.after(() => database.destroy());
      // Stockroom's own migrator keeps its history in kysely_migration; the partner must not read it.
      // (A PostgreSQL test database is a copy of a migrated template, so that history may be there already.)
      await sql`create table if not exists kysely_migration (name varchar(255) primary key, timestamp varchar(255) not null)`.execute(database.db);
      await sql`insert into kysely_migration values ('0001-accounts', '2026-01-01T00:00:00.000Z') on conflict do nothing`.execute(database.db);
      const stockroomHistory = await database.db.selectFrom('kysely_migration').select('name').execute();
      assert.ok(stockroomHistory.some((m) => m.name === '0001-accounts'));
      await migrateReferencePartner(database.db);
      const applied = await database.db.selectFrom('ref_partner_migration').select('name').execute();
      assert.deepEqual(applied.map((m) => m.name), ['0001-reference-partner', '0002-idempotency-expiry-index', '0003-hash-access-tokens', '0004-credit-purchases', '0005-partner-calls-back', '0006-secret-pushes', '0007-installation-plans']);
    });

    test('a second server on the same database (a replica, or a restart) sees the same resources', async (t) => {
      const database = await openTestDatabase(dialect);
      t.after(() => database.destroy());
      // Replicas share the encryption key, as Stockroom's replicas share STOCKROOM_ENCRYPTION_KEY.
      const partner = { secretBox: createSecretBox(randomBytes(32).toString('hex')) };
      const first = await startPartner(dialect, { database, partner });
      const id = await first.install();
      const created = await first.provision(id, { name: 'pending-shared', metadata: { region: 'iad1', testing_ready_after_ms: 1000 } });
      assert.equal(created.body.status, 'pending');
      const replayKey = { 'idempotency-key': 'across-replicas' };
      const keyed = await first.provision(id, { name: 'keyed' }, replayKey);
      await first.close();

      const second = await startPartner(dialect, { database, partner });
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

    test('an upgraded database: tokens stored in the clear are gone (they cannot be recovered from 0003\'s hash), plaintext secrets and answers are sealed at start and still read', async (t) => {
      const database = await openTestDatabase(dialect);
      t.after(() => database.destroy());
      // The tables as the partner left them before sealing: its first two migrations only.
      const before = new Migrator({
        db: database.db,
        provider: { getMigrations: async () => ({ '0001-reference-partner': m0001, '0002-idempotency-expiry-index': m0002 }) },
        migrationTableName: 'ref_partner_migration',
        migrationLockTableName: 'ref_partner_migration_lock',
      });
      assert.equal((await before.migrateToLatest()).error, undefined);
      const id = 'icfg_legacy0001';
      const token = 'srk_legacyInstallationToken0123456789';
      const secrets = [{ name: 'DATABASE_URL', value: 'postgres://u:legacyPlaintextPw@h/db' }];
      const answer = { id: 'res_legacy1', secrets };
      const now = Date.now();
      await database.db
        .insertInto('ref_partner_installations')
        .values({ id, scopes: '[]', accepted_policies: '{}', account: '{"url":"https://x","contact":{"email":"a@b.c"}}', access_token: token, token_type: 'Bearer', created_at: now, updated_at: now, deleted_at: null })
        .execute();
      await database.db
        .insertInto('ref_partner_resources')
        .values({ id: 'res_legacy1', installation_id: id, product_id: 'acme-db', name: 'old', metadata: '{}', billing_plan_id: 'pro', external_id: null, status: 'ready', ready_at: null, secrets: JSON.stringify(secrets), previous_secrets_expire_at: null, created_at: now, updated_at: now, deleted_at: null })
        .execute();
      await database.db
        .insertInto('ref_partner_idempotency_keys')
        .values({ installation_id: id, key: 'legacy-key', fingerprint: 'f', status_code: 200, body: JSON.stringify(answer), created_at: now })
        .execute();

      await migrateReferencePartner(database.db);
      const installation = await database.db.selectFrom('ref_partner_installations').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
      // 0003 kept only a hash and 0004 drops it: the installation stays, without a token to call back with.
      assert.equal(installation.access_token, null);
      assert.equal('access_token_hash' in installation, false);
      assert.ok(!JSON.stringify(installation).includes(token));
      assert.ok(!JSON.stringify(installation).includes(createHash('sha256').update(token).digest('hex')));

      const box = createSecretBox(randomBytes(32).toString('hex'));
      const p = await startPartner(dialect, { database, partner: { secretBox: box } });
      t.after(() => p.close());
      const resource = await database.db.selectFrom('ref_partner_resources').select(['id', 'secrets']).where('id', '=', 'res_legacy1').executeTakeFirstOrThrow();
      assert.ok(!resource.secrets.includes('legacyPlaintextPw'), 'resource secrets sealed at start');
      assert.deepEqual(p.openSecrets(resource), secrets);
      const key = await database.db.selectFrom('ref_partner_idempotency_keys').select('body').where('key', '=', 'legacy-key').executeTakeFirstOrThrow();
      assert.ok(!key.body.includes('legacyPlaintextPw'), 'recorded answer sealed at start');
      assert.deepEqual(JSON.parse(box.open(key.body, `ref_partner_idempotency_keys.body:${id}:legacy-key`)), answer);
      // The partner reads the resource it now holds sealed: a rotation keeps the secret names.
      const rotated = await p.request('POST', `/v1/installations/${id}/resources/res_legacy1/secrets/rotate`, { body: {} });
      assert.equal(rotated.status, 200, JSON.stringify(rotated.body));
    });
  });
}
