import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import { appendLedgerEntry } from '../../src/db/ledger.js';
import { createTeam } from '../helpers/accounts.js';
import { dialectsToTest } from '../helpers/databases.js';
import { startTestServer, type TestClock, type TestServer } from '../helpers/stockroom.js';

/**
 * Issue 13 §7: every paginated list must show each row exactly once when rows share a millisecond.
 * The ledger once paged on `created_at` alone: followed by `until = pagination.next`, 41 of 90
 * entries came back at `limit=3`. Each list here is walked to its end, by `cursor` (exact whatever
 * the ties) and by Vercel's `until` (exact while no millisecond holds more rows than a page).
 */

/** A clock that stays where the test puts it, so rows created through HTTP share a millisecond. */
function frozenClock(at: number): TestClock & { set(ms: number): void } {
  let now = at;
  return { now: () => now, advance: (ms) => void (now += ms), set: (ms) => void (now = ms) };
}

/** Follows `path` (which already has a `?`) from its first page to its end; returns the ids in order. */
async function walk(server: TestServer, path: string, itemsKey: string, by: 'until' | 'cursor', limit: number): Promise<string[]> {
  const ids: string[] = [];
  let query = '';
  for (let pages = 1; pages <= 500; pages++) {
    const res = await server.request('GET', `${path}&limit=${limit}${query}`);
    assert.equal(res.status, 200, res.text);
    const items = res.body[itemsKey] as Array<{ id: string }>;
    assert.equal(res.body.pagination.count, items.length);
    assert.ok(items.length <= limit);
    ids.push(...items.map((item) => item.id));
    const { next, nextCursor } = res.body.pagination;
    assert.equal(next === null, nextCursor === null, 'next and nextCursor end together');
    if (next === null) return ids;
    query = by === 'until' ? `&until=${next}` : `&cursor=${encodeURIComponent(nextCursor)}`;
  }
  assert.fail('the list never ended');
}

/** Inserts ledger entries: `groups[i]` entries in millisecond `base - i`. */
async function appendGroups(server: TestServer, teamId: string, groups: readonly number[], base: number): Promise<void> {
  let n = 0;
  for (const [i, size] of groups.entries()) {
    for (let k = 0; k < size; k++) {
      n += 1;
      await appendLedgerEntry(server.stockroom.ctx.db, { teamId, kind: 'charge', amountCents: 100 + n, operationKey: `${teamId}:op-${n}`, createdAt: base - i });
    }
  }
}

/** The ledger's stored order, read back from the database: newest first, ties by id descending. */
async function storedLedgerOrder(server: TestServer, teamId: string): Promise<string[]> {
  const rows = await server.stockroom.ctx.db.selectFrom('ledger_entries').select(['id', 'created_at']).where('team_id', '=', teamId).execute();
  return rows.sort((a, b) => b.created_at - a.created_at || (a.id < b.id ? 1 : a.id > b.id ? -1 : 0)).map((r) => r.id);
}

for (const dialect of dialectsToTest()) {
  describe(`pagination shows every row exactly once when rows share a millisecond (${dialect})`, () => {
    test('the ledger: 90 entries, 30 of them in one millisecond, walked at limit=3 by cursor and by until', async (t) => {
      const server = await startTestServer(t, dialect);
      const team = await createTeam(server);
      // The shape: 90 entries; many share a millisecond, one group larger than a page.
      const groups = [3, 1, 30, 2, 3, 2, 1, 3, 3, 2, 1, 1, 3, 2, 3, 3, 2, 3, 1, 2, 3, 2, 3, 3, 3, 1, 2, 2];
      assert.equal(groups.reduce((a, b) => a + b, 0), 90);
      await appendGroups(server, team.id, groups, 1_700_000_000_000);
      const stored = await storedLedgerOrder(server, team.id);
      assert.equal(stored.length, 90);
      assert.deepEqual(await walk(server, `/stockroom/v1/ledger?teamId=${team.id}`, 'entries', 'cursor', 3), stored);
      // By `until`: no entry is repeated; only the 30-entry millisecond, larger than a page, cannot
      // be walked by a millisecond alone (its first page is shown, then `until` moves past it).
      const byUntil = await walk(server, `/stockroom/v1/ledger?teamId=${team.id}`, 'entries', 'until', 3);
      assert.equal(new Set(byUntil).size, byUntil.length, 'no entry twice');
      assert.deepEqual(byUntil, stored.filter((id) => byUntil.includes(id)), 'newest first');
      assert.equal(byUntil.length, 90 - 27);
      assert.deepEqual(await walk(server, `/stockroom/v1/ledger?teamId=${team.id}`, 'entries', 'until', 30), stored);
    });

    test('the ledger, property: any ties, any limit, the cursor walk shows the stored order; `until` too while ties fit a page', async (t) => {
      const server = await startTestServer(t, dialect);
      let base = 1_700_000_000_000;
      await fc.assert(
        fc.asyncProperty(fc.array(fc.integer({ min: 1, max: 6 }), { minLength: 1, maxLength: 8 }), fc.integer({ min: 1, max: 5 }), async (groups, limit) => {
          const team = await createTeam(server);
          base += 1_000;
          await appendGroups(server, team.id, groups, base);
          const stored = await storedLedgerOrder(server, team.id);
          assert.deepEqual(await walk(server, `/stockroom/v1/ledger?teamId=${team.id}`, 'entries', 'cursor', limit), stored);
          const byUntil = await walk(server, `/stockroom/v1/ledger?teamId=${team.id}`, 'entries', 'until', limit);
          if (Math.max(...groups) <= limit) assert.deepEqual(byUntil, stored);
          else assert.deepEqual(byUntil, stored.filter((id) => byUntil.includes(id)));
        }),
        { numRuns: Number(process.env.PAGINATION_RUNS ?? 20) },
      );
    });

    test('the ledger filtered by store pages the same way', async (t) => {
      const server = await startTestServer(t, dialect);
      const team = await createTeam(server);
      for (let n = 0; n < 10; n++) {
        await appendLedgerEntry(server.stockroom.ctx.db, { teamId: team.id, storeId: n % 2 ? 'store_a' : 'store_b', kind: 'charge', amountCents: n, operationKey: `s-${n}`, createdAt: 5_000 });
      }
      const rows = await server.stockroom.ctx.db.selectFrom('ledger_entries').select('id').where('store_id', '=', 'store_a').orderBy('id', 'desc').execute();
      assert.deepEqual(await walk(server, `/stockroom/v1/ledger?teamId=${team.id}&storeId=store_a`, 'entries', 'cursor', 2), rows.map((r) => r.id));
    });

    test('access tokens created in one millisecond, walked at limit=3', async (t) => {
      const clock = frozenClock(1_700_000_000_000);
      const server = await startTestServer(t, dialect, { clock });
      for (let n = 0; n < 11; n++) {
        if (n === 8) clock.advance(1);
        const res = await server.request('POST', '/v3/user/tokens', { body: { name: `t${n}` } });
        assert.equal(res.status, 200, res.text);
      }
      const rows = await server.stockroom.ctx.db.selectFrom('tokens').select(['id', 'created_at']).where('revoked_at', 'is', null).execute();
      const stored = rows.sort((a, b) => b.created_at - a.created_at || (a.id < b.id ? 1 : -1)).map((r) => r.id);
      assert.ok(stored.length >= 11);
      for (const version of ['v5', 'v6']) {
        assert.deepEqual(await walk(server, `/${version}/user/tokens?`, 'tokens', 'cursor', 3), stored, version);
        const byUntil = await walk(server, `/${version}/user/tokens?`, 'tokens', 'until', 3);
        assert.equal(new Set(byUntil).size, byUntil.length, 'no token twice');
      }
    });

    test('teams created in one millisecond, walked at limit=3', async (t) => {
      const clock = frozenClock(1_700_000_000_000);
      const server = await startTestServer(t, dialect, { clock });
      for (let n = 0; n < 8; n++) await createTeam(server);
      const res = await server.request('GET', '/v2/teams?limit=100');
      const all = (res.body.teams as Array<{ id: string }>).map((team) => team.id);
      const rows = await server.stockroom.ctx.db.selectFrom('teams').select('id').where('id', 'in', all).execute();
      assert.equal(rows.length, all.length);
      assert.ok(all.length >= 8);
      assert.deepEqual(await walk(server, '/v2/teams?', 'teams', 'cursor', 3), all);
      const byUntil = await walk(server, '/v2/teams?', 'teams', 'until', 3);
      assert.equal(new Set(byUntil).size, byUntil.length, 'no team twice');
    });
  });
}
