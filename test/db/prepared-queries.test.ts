import assert from 'node:assert/strict';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { sql, type Kysely } from 'kysely';
import { openDatabase, type Database } from '../../src/db/database.js';
import { preparedQuery } from '../../src/db/prepared-queries.js';
import { createTestDatabase, dialectsToTest, type TestDialect } from '../helpers/databases.js';

interface Tables {
  things: { id: string; owner: string; state: string; size: number; note: string | null };
}

async function openThings(t: { after(fn: () => Promise<void>): void }, dialect: TestDialect): Promise<Database> {
  const test = await createTestDatabase(dialect);
  t.after(() => test.drop());
  const database = openDatabase(dialect === 'sqlite' ? { kind: 'sqlite', path: join(test.dataDir, 'things.db') } : { kind: 'postgres', url: test.url as string });
  t.after(() => database.destroy());
  await sql`create table things (id text primary key, owner text not null, state text not null, size integer not null, note text)`.execute(database.db);
  return database;
}

for (const dialect of dialectsToTest()) {
  describe(`prepared queries (${dialect})`, () => {
    it('builds once, binds each call its own values, keeps the builder constants, and reads back what it wrote', async (t) => {
      const { db } = await openThings(t, dialect);
      let builds = 0;
      const insert = preparedQuery<{ id: string; owner: string; size: number; note: string | null }>((q: Kysely<Tables>, p) => {
        builds += 1;
        return q.insertInto('things').values({ id: p.id, owner: p.owner, state: 'new', size: p.size, note: p.note });
      });
      const ofOwner = preparedQuery<{ owner: string }, Tables['things']>((q: Kysely<Tables>, p) => {
        builds += 1;
        return q.selectFrom('things').selectAll().where('owner', '=', p.owner).where('state', '=', 'new').orderBy('id');
      });
      const grow = preparedQuery<{ owner: string; by: number }>((q: Kysely<Tables>, p) => {
        builds += 1;
        return q.updateTable('things').set({ size: p.by }).where('owner', '=', p.owner).where('note', 'is', null);
      });

      await insert.affected(db, { id: 'a1', owner: 'ann', size: 1, note: null });
      await insert.affected(db, { id: 'a2', owner: 'ann', size: 2, note: 'kept' });
      await insert.affected(db, { id: 'b1', owner: 'bob', size: 3, note: null });
      assert.deepEqual(await ofOwner.rows(db, { owner: 'ann' }), [
        { id: 'a1', owner: 'ann', state: 'new', size: 1, note: null },
        { id: 'a2', owner: 'ann', state: 'new', size: 2, note: 'kept' },
      ]);
      assert.deepEqual(await ofOwner.first(db, { owner: 'bob' }), { id: 'b1', owner: 'bob', state: 'new', size: 3, note: null });
      assert.equal(await ofOwner.first(db, { owner: 'nobody' }), undefined);
      assert.equal(await grow.affected(db, { owner: 'ann', by: 10 }), 1);
      assert.equal(await grow.affected(db, { owner: 'carl', by: 10 }), 0);
      const rows = await db.selectFrom('things' as never).selectAll().orderBy('id' as never).execute();
      assert.deepEqual(
        (rows as Array<Tables['things']>).map((r) => [r.id, r.size]),
        [
          ['a1', 10],
          ['a2', 2],
          ['b1', 3],
        ],
      );
      assert.equal(builds, 3, 'each statement is built once, not per call');
    });

    it('runs inside a transaction with the same compiled statement, and the dialect picks its clauses', async (t) => {
      const { db } = await openThings(t, dialect);
      const dialects: string[] = [];
      const insert = preparedQuery<{ id: string }>((q: Kysely<Tables>, p) => q.insertInto('things').values({ id: p.id, owner: 'ann', state: 'new', size: 0, note: null }));
      const locked = preparedQuery<{ id: string }, { id: string }>((q: Kysely<Tables>, p, d) => {
        dialects.push(d);
        const query = q.selectFrom('things').select('id').where('id', '=', p.id);
        return d === 'postgres' ? query.forUpdate() : query;
      });
      await insert.affected(db, { id: 'x' });
      const seen = await db.transaction().execute(async (trx) => {
        const first = await locked.first(trx, { id: 'x' });
        await insert.affected(trx, { id: 'y' });
        return [first, await locked.first(trx, { id: 'y' })];
      });
      assert.deepEqual(seen, [{ id: 'x' }, { id: 'y' }]);
      assert.deepEqual(dialects, [dialect]);
      // A rolled-back transaction's prepared write leaves nothing.
      await assert.rejects(
        db.transaction().execute(async (trx) => {
          await insert.affected(trx, { id: 'z' });
          throw new Error('undo');
        }),
        /undo/,
      );
      assert.equal(await locked.first(db, { id: 'z' }), undefined);
    });

    it('inserts a row passed whole; a call with other keys has a statement of its own; a value the builder computes with is refused', async (t) => {
      const { db } = await openThings(t, dialect);
      const insert = preparedQuery<Tables['things']>((q: Kysely<Tables>, p) => q.insertInto('things').values(p));
      const byOwner = preparedQuery<{ owner: string }>((q: Kysely<Tables>, p) => q.selectFrom('things').select('id').where('owner', '=', p.owner));
      await insert.affected(db, { id: 'w1', owner: 'ann', state: 'new', size: 7, note: 'n' });
      await insert.affected(db, { id: 'w2', owner: 'ann', state: 'old', size: 8, note: null });
      // Without `note`, the insert names one column fewer: another shape, compiled once too.
      await insert.affected(db, { id: 'w3', owner: 'ann', state: 'new', size: 1 } as Tables['things']);
      assert.deepEqual(await byOwner.rows(db, { owner: 'ann' }), [{ id: 'w1' }, { id: 'w2' }, { id: 'w3' }]);
      const computed = preparedQuery<{ size: number }>((q: Kysely<Tables>, p) => q.selectFrom('things').select('id').where('size', '>', Number(p.size) + 1));
      await assert.rejects(computed.rows(db, { size: 1 }), /prepared query: size did not become parameters of/);
    });
  });
}
