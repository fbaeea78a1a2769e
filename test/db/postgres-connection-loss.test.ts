import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { sql } from 'kysely';
import pg from 'pg';
import { openDatabase } from '../../src/db/database.js';
import { createTestDatabase } from '../helpers/databases.js';

/**
 * A connection that drops in the middle of a query (PostgreSQL restarted, the backend terminated)
 * fails that query, and only that query: it must not crash the process with an 'error' event
 * nobody listens to (found by CI: a terminated backend during a revocation pass killed a test run).
 */
describe('PostgreSQL connection lost mid-query', { skip: process.env.TEST_DATABASE_URL ? false : 'needs TEST_DATABASE_URL' }, () => {
  it('rejects the query, and the next query runs on a new connection', async (t) => {
    const database = await createTestDatabase('postgres');
    t.after(() => database.drop());
    const { db, destroy } = openDatabase({ kind: 'postgres', url: database.url as string });
    t.after(destroy);
    const pid = (await sql<{ pid: number }>`select pg_backend_pid() as pid`.execute(db)).rows[0]?.pid;
    assert.ok(pid);
    const slow = sql`select pg_sleep(5)`.execute(db).then(
      () => undefined,
      (error: unknown) => error,
    );
    // Give the query time to reach the server, then end its backend from outside.
    await new Promise((resolve) => setTimeout(resolve, 200));
    const admin = new pg.Client({ connectionString: process.env.TEST_DATABASE_URL });
    await admin.connect();
    try {
      const killed = await admin.query('select pg_terminate_backend(pid) as ok from pg_stat_activity where datname = $1 and query like $2', [new URL(database.url as string).pathname.slice(1), '%pg_sleep%']);
      assert.equal(killed.rows.length, 1);
    } finally {
      await admin.end();
    }
    assert.match(String(await slow), /terminat|Connection|ECONNRESET/i);
    // The process is still here and the pool recovers, once the dropped socket has closed (a query
    // sent in that instant may still pick the dying client: it fails like the first one did).
    await new Promise((resolve) => setTimeout(resolve, 300));
    assert.equal((await sql<{ one: number }>`select 1 as one`.execute(db)).rows[0]?.one, 1);
  });
});
