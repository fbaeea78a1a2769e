import assert from 'node:assert/strict';
import { createConnection, createServer, type Socket } from 'node:net';
import { describe, it } from 'node:test';
import { sql } from 'kysely';
import { openDatabase } from '../../src/db/database.js';
import { createTestDatabase, NO_POSTGRES } from '../helpers/databases.js';
import { eventually } from '../helpers/eventually.js';

/**
 * A connection reset in the middle of a query (ECONNRESET: a restarted server, a dropped network
 * path) fails that query, and only that query: the client in use must not emit an 'error' nobody
 * listens to, which would crash the process (found by CI during a revocation pass). A TCP proxy
 * between the pool and PostgreSQL resets the client's connection while `pg_sleep` runs.
 */
describe('PostgreSQL connection reset mid-query', () => {
  it('rejects the query, does not crash, and the next query runs on a new connection', { skip: NO_POSTGRES }, async (t) => {
    const database = await createTestDatabase('postgres');
    t.after(() => database.drop());
    const target = new URL(database.url as string);
    const toClient: Socket[] = [];
    const proxy = createServer((client) => {
      toClient.push(client);
      const upstream = createConnection(Number(target.port || 5432), target.hostname);
      client.pipe(upstream).pipe(client);
      client.on('error', () => upstream.destroy());
      upstream.on('error', () => client.destroy());
      client.on('close', () => upstream.destroy());
    });
    await new Promise<void>((resolve) => proxy.listen(0, '127.0.0.1', resolve));
    t.after(() => new Promise<void>((resolve) => proxy.close(() => resolve())));
    const viaProxy = new URL(target);
    viaProxy.host = `127.0.0.1:${(proxy.address() as { port: number }).port}`;

    const { db, destroy } = openDatabase({ kind: 'postgres', url: viaProxy.toString() });
    t.after(destroy);
    const slow = sql`select pg_sleep(5)`.execute(db).then(
      () => undefined,
      (error: unknown) => error,
    );
    // Once the query runs on the server (seen from a second, direct connection), reset the pool's
    // connection (RST, not FIN).
    const direct = openDatabase({ kind: 'postgres', url: target.toString() });
    t.after(direct.destroy);
    await eventually('the slow query runs on the server', async () => {
      const running = await sql<{ n: number }>`select count(*)::int as n from pg_stat_activity where query like 'select pg_sleep(5)%'`.execute(direct.db);
      return running.rows[0]!.n === 1;
    }, { timeoutMs: 5_000 });
    assert.equal(toClient.length, 1);
    toClient[0]?.resetAndDestroy();
    assert.match(String(await slow), /ECONNRESET|terminated|Connection/i);
    // The process is still here, and the pool replaces the connection.
    assert.equal((await sql<{ one: number }>`select 1 as one`.execute(db)).rows[0]?.one, 1);
  });
});
