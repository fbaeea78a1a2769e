import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it, type TestContext } from 'node:test';
import SqliteDatabase from 'better-sqlite3';
import { Kysely, sql, type Generated } from 'kysely';
import { isUniqueViolation } from '../../src/db/errors.js';
import { createGroupCommitSqliteDialect } from '../../src/db/sqlite-group-commit.js';

interface Tables {
  items: { id: Generated<number>; name: string };
}

/** A Kysely over a fresh file, and a second, independent handle that sees only what was committed. */
async function open(t: TestContext): Promise<{ db: Kysely<Tables>; committed: () => string[] }> {
  const dir = mkdtempSync(join(tmpdir(), 'stockroom-group-commit-'));
  const path = join(dir, 'test.db');
  const sqlite = new SqliteDatabase(path);
  sqlite.pragma('journal_mode = WAL');
  sqlite.pragma('synchronous = FULL');
  const db = new Kysely<Tables>({ dialect: createGroupCommitSqliteDialect(sqlite) });
  await sql`create table items (id integer primary key, name text not null unique)`.execute(db);
  const observer = new SqliteDatabase(path, { readonly: true });
  t.after(async () => {
    observer.close();
    await db.destroy();
    rmSync(dir, { recursive: true, force: true });
  });
  return { db, committed: () => (observer.prepare('select name from items order by id').all() as Array<{ name: string }>).map((r) => r.name) };
}

const insert = (db: Kysely<Tables>, name: string) => db.insertInto('items').values({ name }).execute();

describe('SQLite group commit', () => {
  it('commits concurrent writes together and settles each only once it is committed', async (t) => {
    const { db, committed } = await open(t);
    const writes = ['a', 'b', 'c'].map((name) =>
      insert(db, name).then(() => {
        assert.ok(committed().includes(name), `${name} settled before it was committed`);
      }),
    );
    assert.deepEqual(committed(), [], 'a write was committed before the group');
    await Promise.all(writes);
    assert.deepEqual(committed(), ['a', 'b', 'c']);
  });

  it('rejects only the write that failed, with SQLite own error, and commits the others', async (t) => {
    const { db, committed } = await open(t);
    await insert(db, 'taken');
    const results = await Promise.allSettled([insert(db, 'x'), insert(db, 'taken'), insert(db, 'y')]);
    assert.deepEqual(results.map((r) => r.status), ['fulfilled', 'rejected', 'fulfilled']);
    assert.ok(results[1]?.status === 'rejected' && isUniqueViolation(results[1].reason));
    assert.deepEqual(committed(), ['taken', 'x', 'y']);
  });

  it('lets reads see committed data only', async (t) => {
    const { db } = await open(t);
    const write = insert(db, 'pending');
    assert.deepEqual(await db.selectFrom('items').select('name').execute(), []);
    await write;
    assert.deepEqual(await db.selectFrom('items').select('name').execute(), [{ name: 'pending' }]);
  });

  it('reports affected rows, insert ids and returned rows of grouped writes', async (t) => {
    const { db } = await open(t);
    const [first, returned] = await Promise.all([
      db.insertInto('items').values({ name: 'one' }).executeTakeFirstOrThrow(),
      db.insertInto('items').values({ name: 'two' }).returning(['id', 'name']).executeTakeFirstOrThrow(),
    ]);
    assert.equal(first.insertId, 1n);
    assert.deepEqual(returned, { id: 2, name: 'two' });
    const [updated, missed] = await Promise.all([
      db.updateTable('items').set({ name: 'uno' }).where('id', '=', 1).executeTakeFirstOrThrow(),
      db.updateTable('items').set({ name: 'none' }).where('id', '=', 99).executeTakeFirstOrThrow(),
    ]);
    assert.equal(updated.numUpdatedRows, 1n);
    assert.equal(missed.numUpdatedRows, 0n);
  });

  it('takes writes queued before a transaction into it, in order, and keeps them when it rolls back', async (t) => {
    const { db, committed } = await open(t);
    const queued = insert(db, 'before');
    await assert.rejects(
      db.transaction().execute(async (trx) => {
        // The queued write ran first, inside this transaction.
        assert.deepEqual(await trx.selectFrom('items').select('name').execute(), [{ name: 'before' }]);
        await insert(trx, 'inside');
        throw new Error('undo');
      }),
      /undo/,
    );
    await queued;
    assert.deepEqual(committed(), ['before']);
  });

  it('makes other queries wait while a transaction is open, then commits it for good', async (t) => {
    const { db, committed } = await open(t);
    let readDuring: string[] | undefined;
    await db.transaction().execute(async (trx) => {
      await insert(trx, 'in-transaction');
      // A query outside the transaction must not see its uncommitted row, so it waits.
      void db
        .selectFrom('items')
        .select('name')
        .execute()
        .then((rows) => (readDuring = rows.map((r) => r.name)));
      await new Promise((resolve) => setTimeout(resolve, 20));
      assert.equal(readDuring, undefined);
    });
    assert.deepEqual(committed(), ['in-transaction']);
    await new Promise((resolve) => setImmediate(resolve));
    assert.deepEqual(readDuring, ['in-transaction']);
  });

  it('commits concurrent transactions together, each settling only once committed, and one rolled back leaves the others', async (t) => {
    const { db, committed } = await open(t);
    const transactions = ['t1', 't2', 't3'].map((name) =>
      db.transaction().execute(async (trx) => {
        await insert(trx, name);
        if (name === 't2') throw new Error('undo t2');
      }),
    );
    const results = await Promise.allSettled(transactions.map((p, i) => p.then(() => assert.ok(committed().includes(`t${i + 1}`)))));
    assert.deepEqual(results.map((r) => r.status), ['fulfilled', 'rejected', 'fulfilled']);
    assert.deepEqual(committed(), ['t1', 't3']);
  });

  it('keeps reads from seeing a transaction that committed into a group not yet made durable', async (t) => {
    const { db, committed } = await open(t);
    let released = false;
    const trx = db.transaction().execute(async (tx) => {
      await insert(tx, 'grouped');
      released = true;
    });
    // Let the transaction run and release its savepoint, but not the end-of-turn COMMIT.
    while (!released) await Promise.resolve();
    const read = db
      .selectFrom('items')
      .select('name')
      .execute()
      .then((rows) => ({ rows, committedThen: committed() }));
    await trx;
    const { rows, committedThen } = await read;
    assert.deepEqual(rows, [{ name: 'grouped' }]);
    assert.deepEqual(committedThen, ['grouped'], 'the read saw a row before it was committed');
  });

  it('supports savepoints inside a transaction', async (t) => {
    const { db, committed } = await open(t);
    const trx = await db.startTransaction().execute();
    await insert(trx, 'kept');
    const inner = await trx.savepoint('inner').execute();
    await insert(inner, 'dropped');
    await inner.rollbackToSavepoint('inner').execute();
    await trx.commit().execute();
    assert.deepEqual(committed(), ['kept']);
  });
});
