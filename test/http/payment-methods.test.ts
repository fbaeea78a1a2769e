import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { appendLedgerEntry } from '../../src/db/ledger.js';
import type { Role } from '../../src/domain/roles.js';
import { createMember, createTeam, createUser } from '../helpers/accounts.js';
import { dialectsToTest } from '../helpers/databases.js';
import { useSharedServer } from '../helpers/shared-server.js';
import type { TestServer } from '../helpers/stockroom.js';

const SHARED = ['pm_card_visa', 'pm_card_mastercard', 'pm_card_chargeDeclined', 'pm_card_chargeDeclinedInsufficientFunds'];

const pm = (teamId: string) => `/stockroom/v1/payment-methods?teamId=${teamId}`;
const billing = (teamId: string) => `/stockroom/v1/billing?teamId=${teamId}`;

async function teamRow(server: TestServer, teamId: string) {
  return server.stockroom.ctx.db.selectFrom('teams').select(['billing_state', 'default_payment_method_id']).where('id', '=', teamId).executeTakeFirstOrThrow();
}

async function methodRows(server: TestServer, teamId: string) {
  return server.stockroom.ctx.db.selectFrom('payment_methods').selectAll().where('team_id', '=', teamId).orderBy('created_at').execute();
}

async function addMethod(server: TestServer, teamId: string, body: { source: string; setDefault?: boolean }, token = server.token): Promise<string> {
  const res = await server.request('POST', pm(teamId), { token, body });
  assert.equal(res.status, 200, res.text);
  return res.body.id;
}

for (const dialect of dialectsToTest()) {
  describe(`payment methods, billing state and ledger (${dialect})`, () => {
    // Every test works in teams it makes itself.
    const sharedServer = useSharedServer(dialect);

    test('lists the four shared test methods for a new team, with no default', async () => {
      const server = sharedServer();
      const team = await createTeam(server);
      const viewer = await createMember(server, team.id, 'VIEWER');
      const res = await server.request('GET', pm(team.id), { token: viewer.token });
      assert.equal(res.status, 200, res.text);
      assert.equal(res.body.defaultPaymentMethodId, null);
      assert.deepEqual(res.body.paymentMethods.map((m: any) => m.id), SHARED);
      assert.deepEqual(res.body.paymentMethods[0], { id: 'pm_card_visa', brand: 'visa', last4: '4242', source: 'pm_card_visa', isDefault: false, shared: true, createdAt: null });
      assert.deepEqual(await methodRows(server, team.id), []);
      assert.equal((await teamRow(server, team.id)).default_payment_method_id, null);
    });

    test('POST adds a team-owned method that behaves like its source; setDefault makes it the default', async () => {
      const server = sharedServer();
      const team = await createTeam(server);
      const before = server.clock.now();
      const res = await server.request('POST', pm(team.id), { body: { source: 'pm_card_mastercard', setDefault: true } });
      assert.equal(res.status, 200, res.text);
      assert.match(res.body.id, /^pm_[A-Za-z0-9]{24}$/);
      const { id: _id, createdAt, ...rest } = res.body;
      assert.deepEqual(rest, { brand: 'mastercard', last4: '4444', source: 'pm_card_mastercard', isDefault: true, shared: false });
      assert.ok(createdAt >= before && createdAt <= server.clock.now());

      const rows = await methodRows(server, team.id);
      assert.equal(rows.length, 1);
      assert.deepEqual({ ...rows[0] }, { id: res.body.id, team_id: team.id, source: 'pm_card_mastercard', brand: 'mastercard', last4: '4444', created_at: res.body.createdAt, deleted_at: null });
      assert.equal((await teamRow(server, team.id)).default_payment_method_id, res.body.id);

      const second = await server.request('POST', pm(team.id), { body: { source: 'pm_card_chargeDeclined' } });
      assert.equal(second.status, 200, second.text);
      assert.equal(second.body.isDefault, false);
      const list = await server.request('GET', pm(team.id));
      assert.equal(list.body.defaultPaymentMethodId, res.body.id);
      assert.deepEqual(list.body.paymentMethods.map((m: any) => [m.id, m.isDefault, m.shared]), [
        ...SHARED.map((id) => [id, false, true]),
        [res.body.id, true, false],
        [second.body.id, false, false],
      ]);
      assert.equal((await teamRow(server, team.id)).default_payment_method_id, res.body.id);
    });

    test('POST with a source that is not a test method is 400 naming `source`, and stores nothing', async () => {
      const server = sharedServer();
      const team = await createTeam(server);
      const res = await server.request('POST', pm(team.id), { body: { source: 'pm_card_amex' } });
      assert.equal(res.status, 400);
      assert.equal(res.body.error.code, 'bad_request');
      assert.equal(res.body.error.param, 'source');
      assert.deepEqual(await methodRows(server, team.id), []);
    });

    test("PUT default takes a shared or an own method; another team's, a removed or an unknown id is 400 and changes nothing", async () => {
      const server = sharedServer();
      const team = await createTeam(server);
      const other = await createTeam(server);
      const foreign = await addMethod(server, other.id, { source: 'pm_card_visa' });
      const own = await addMethod(server, team.id, { source: 'pm_card_visa' });

      const shared = await server.request('PUT', `/stockroom/v1/payment-methods/default?teamId=${team.id}`, { body: { paymentMethodId: 'pm_card_mastercard' } });
      assert.equal(shared.status, 200, shared.text);
      assert.deepEqual(shared.body, { defaultPaymentMethodId: 'pm_card_mastercard' });
      assert.equal((await teamRow(server, team.id)).default_payment_method_id, 'pm_card_mastercard');

      const removed = await addMethod(server, team.id, { source: 'pm_card_visa' });
      assert.equal((await server.request('DELETE', `/stockroom/v1/payment-methods/${removed}?teamId=${team.id}`)).status, 200);
      for (const paymentMethodId of [foreign, removed, 'pm_doesNotExist']) {
        const res = await server.request('PUT', `/stockroom/v1/payment-methods/default?teamId=${team.id}`, { body: { paymentMethodId } });
        assert.equal(res.status, 400, paymentMethodId);
        assert.equal(res.body.error.code, 'invalid_payment_method');
        assert.equal(res.body.error.param, 'paymentMethodId');
        assert.match(res.body.error.message, new RegExp(paymentMethodId));
        assert.equal((await teamRow(server, team.id)).default_payment_method_id, 'pm_card_mastercard');
      }
      assert.equal((await teamRow(server, other.id)).default_payment_method_id, null);

      const mine = await server.request('PUT', `/stockroom/v1/payment-methods/default?teamId=${team.id}`, { body: { paymentMethodId: own } });
      assert.equal(mine.status, 200, mine.text);
      assert.equal((await teamRow(server, team.id)).default_payment_method_id, own);
      const view = await server.request('GET', billing(team.id));
      assert.deepEqual(view.body, { billingState: 'active', defaultPaymentMethodId: own });
    });

    for (const role of ['VIEWER', 'MEMBER', 'DEVELOPER'] as Role[]) {
      test(`${role} may read payment methods but not add, choose or remove them (403, nothing stored)`, async () => {
        const server = sharedServer();
        const team = await createTeam(server);
        const existing = await addMethod(server, team.id, { source: 'pm_card_visa', setDefault: true });
        const member = await createMember(server, team.id, role);
        const token = member.token;

        assert.equal((await server.request('GET', pm(team.id), { token })).status, 200);
        const create = await server.request('POST', pm(team.id), { token, body: { source: 'pm_card_mastercard', setDefault: true } });
        assert.equal(create.status, 403);
        assert.equal(create.body.error.code, 'forbidden');
        // The role is checked before the body, in the order docs/rules.md §1 gives.
        const invalid = await server.request('POST', pm(team.id), { token, body: { source: 'nope' } });
        assert.equal(invalid.status, 403);
        const setDefault = await server.request('PUT', `/stockroom/v1/payment-methods/default?teamId=${team.id}`, { token, body: { paymentMethodId: 'pm_card_mastercard' } });
        assert.equal(setDefault.status, 403);
        const remove = await server.request('DELETE', `/stockroom/v1/payment-methods/${existing}?teamId=${team.id}`, { token });
        assert.equal(remove.status, 403);

        const rows = await methodRows(server, team.id);
        assert.deepEqual(rows.map((r) => [r.id, r.deleted_at]), [[existing, null]]);
        assert.equal((await teamRow(server, team.id)).default_payment_method_id, existing);
      });
    }

    test('BILLING may add, choose and remove payment methods', async () => {
      const server = sharedServer();
      const team = await createTeam(server);
      const billingUser = await createMember(server, team.id, 'BILLING');
      const token = billingUser.token;
      const id = await addMethod(server, team.id, { source: 'pm_card_chargeDeclinedInsufficientFunds' }, token);
      assert.equal((await methodRows(server, team.id))[0]?.source, 'pm_card_chargeDeclinedInsufficientFunds');
      const setDefault = await server.request('PUT', `/stockroom/v1/payment-methods/default?teamId=${team.id}`, { token, body: { paymentMethodId: id } });
      assert.equal(setDefault.status, 200, setDefault.text);
      assert.equal((await teamRow(server, team.id)).default_payment_method_id, id);
      const remove = await server.request('DELETE', `/stockroom/v1/payment-methods/${id}?teamId=${team.id}`, { token });
      assert.equal(remove.status, 200, remove.text);
      assert.deepEqual(remove.body, { id, defaultPaymentMethodId: null });
      assert.equal(typeof (await methodRows(server, team.id))[0]?.deleted_at, 'number');
    });

    test('DELETE removes an own method and clears the default it was; shared and foreign ids are refused', async () => {
      const server = sharedServer();
      const team = await createTeam(server);
      const other = await createTeam(server);
      const kept = await addMethod(server, team.id, { source: 'pm_card_visa' });
      const removed = await addMethod(server, team.id, { source: 'pm_card_mastercard', setDefault: true });
      const foreign = await addMethod(server, other.id, { source: 'pm_card_visa', setDefault: true });

      const res = await server.request('DELETE', `/stockroom/v1/payment-methods/${removed}?teamId=${team.id}`);
      assert.equal(res.status, 200, res.text);
      assert.deepEqual(res.body, { id: removed, defaultPaymentMethodId: null });
      const rows = await methodRows(server, team.id);
      assert.deepEqual(rows.map((r) => [r.id, r.deleted_at === null]), [[kept, true], [removed, false]]);
      assert.equal((await teamRow(server, team.id)).default_payment_method_id, null);
      const list = await server.request('GET', pm(team.id));
      assert.deepEqual(list.body.paymentMethods.map((m: any) => m.id), [...SHARED, kept]);

      const again = await server.request('DELETE', `/stockroom/v1/payment-methods/${removed}?teamId=${team.id}`);
      assert.equal(again.status, 404);
      assert.equal(again.body.error.code, 'not_found');
      const sharedRes = await server.request('DELETE', `/stockroom/v1/payment-methods/pm_card_visa?teamId=${team.id}`);
      assert.equal(sharedRes.status, 400);
      assert.equal(sharedRes.body.error.param, 'id');
      const foreignRes = await server.request('DELETE', `/stockroom/v1/payment-methods/${foreign}?teamId=${team.id}`);
      assert.equal(foreignRes.status, 404);
      assert.deepEqual((await methodRows(server, other.id)).map((r) => r.deleted_at), [null]);
      assert.equal((await teamRow(server, other.id)).default_payment_method_id, foreign);

      // Removing a method that is not the default leaves the default alone.
      await server.request('PUT', `/stockroom/v1/payment-methods/default?teamId=${team.id}`, { body: { paymentMethodId: 'pm_card_visa' } });
      const notDefault = await server.request('DELETE', `/stockroom/v1/payment-methods/${kept}?teamId=${team.id}`);
      assert.deepEqual(notDefault.body, { id: kept, defaultPaymentMethodId: 'pm_card_visa' });
      assert.equal((await teamRow(server, team.id)).default_payment_method_id, 'pm_card_visa');
    });

    test("the team OWNER and an operator may change the billing state; other roles and outsiders may not", async () => {
      const server = sharedServer();
      const owner = await createUser(server);
      const teamId = owner.defaultTeamId;
      const blocked = await server.request('PATCH', billing(teamId), { token: owner.token, body: { billingState: 'soft_blocked' } });
      assert.equal(blocked.status, 200, blocked.text);
      assert.deepEqual(blocked.body, { billingState: 'soft_blocked', defaultPaymentMethodId: null });
      assert.equal((await teamRow(server, teamId)).billing_state, 'soft_blocked');

      // The bootstrap owner is an operator and no member of this team.
      const memberships = await server.stockroom.ctx.db.selectFrom('memberships').select('user_id').where('team_id', '=', teamId).execute();
      assert.deepEqual(memberships.map((m) => m.user_id), [owner.id]);
      const unblocked = await server.request('PATCH', billing(teamId), { body: { billingState: 'active' } });
      assert.equal(unblocked.status, 200, unblocked.text);
      assert.equal(unblocked.body.billingState, 'active');
      assert.equal((await teamRow(server, teamId)).billing_state, 'active');

      for (const role of ['MEMBER', 'DEVELOPER', 'BILLING', 'VIEWER'] as Role[]) {
        const member = await createMember(server, teamId, role, owner.token);
        const res = await server.request('PATCH', billing(teamId), { token: member.token, body: { billingState: 'soft_blocked' } });
        assert.equal(res.status, 403, role);
        assert.equal(res.body.error.code, 'forbidden');
        const read = await server.request('GET', billing(teamId), { token: member.token });
        assert.deepEqual(read.body, { billingState: 'active', defaultPaymentMethodId: null });
      }
      const outsider = await createUser(server);
      const denied = await server.request('PATCH', billing(teamId), { token: outsider.token, body: { billingState: 'soft_blocked' } });
      assert.equal(denied.status, 403);
      assert.equal((await teamRow(server, teamId)).billing_state, 'active');

      const invalid = await server.request('PATCH', billing(teamId), { token: owner.token, body: { billingState: 'closed' } });
      assert.equal(invalid.status, 400);
      assert.equal(invalid.body.error.param, 'billingState');
      const unknown = await server.request('PATCH', billing('team_doesNotExist'), { body: { billingState: 'soft_blocked' } });
      assert.equal(unknown.status, 404);
      const repeated = await server.request('PATCH', `${billing(teamId)}&teamId=${teamId}`, { body: { billingState: 'soft_blocked' } });
      assert.equal(repeated.status, 400);
      assert.equal(repeated.body.error.param, 'teamId');
      assert.equal((await teamRow(server, teamId)).billing_state, 'active');
      // An operator may name the team by slug too.
      const slug = (await server.stockroom.ctx.db.selectFrom('teams').select('slug').where('id', '=', teamId).executeTakeFirstOrThrow()).slug;
      const bySlug = await server.request('PATCH', `/stockroom/v1/billing?slug=${slug}`, { body: { billingState: 'soft_blocked' } });
      assert.equal(bySlug.status, 200, bySlug.text);
      assert.equal((await teamRow(server, teamId)).billing_state, 'soft_blocked');
    });

    test('the ledger lists appended entries newest first, by store, page by page, to every role', async () => {
      const server = sharedServer();
      const team = await createTeam(server);
      const other = await createTeam(server);
      const db = server.stockroom.ctx.db;
      const base = 1_700_000_000_000;
      const auth = await appendLedgerEntry(db, { teamId: team.id, storeId: 'store_a', kind: 'authorization', amountCents: 500, paymentMethodId: 'pm_card_visa', billingPlanId: 'plan_pro', reference: 'auth_1', operationKey: 'store_a:authorization', createdAt: base });
      await appendLedgerEntry(db, { teamId: team.id, storeId: 'store_a', kind: 'charge', amountCents: 2000, paymentMethodId: 'pm_card_visa', billingPlanId: 'plan_pro', reference: 'ch_1', operationKey: 'store_a:charge', createdAt: base + 1 });
      await appendLedgerEntry(db, { teamId: team.id, storeId: 'store_b', kind: 'credit', amountCents: 1000, operationKey: 'store_b:credit', memo: 'prepayment', createdAt: base + 2 });
      await appendLedgerEntry(db, { teamId: other.id, kind: 'charge', amountCents: 1, operationKey: 'other:charge', createdAt: base + 3 });

      const viewer = await createMember(server, team.id, 'VIEWER');
      const all = await server.request('GET', `/stockroom/v1/ledger?teamId=${team.id}`, { token: viewer.token });
      assert.equal(all.status, 200, all.text);
      assert.deepEqual(all.body.entries.map((e: any) => [e.kind, e.amountCents]), [['credit', 1000], ['charge', 2000], ['authorization', 500]]);
      assert.deepEqual(all.body.entries[2], {
        id: auth.id, storeId: 'store_a', kind: 'authorization', amountCents: 500, currency: 'usd', paymentMethodId: 'pm_card_visa', billingPlanId: 'plan_pro', reference: 'auth_1', memo: null, createdAt: base,
      });
      assert.deepEqual(all.body.pagination, { count: 3, next: null, prev: base + 2, nextCursor: null });

      const byStore = await server.request('GET', `/stockroom/v1/ledger?teamId=${team.id}&storeId=store_a`);
      assert.deepEqual(byStore.body.entries.map((e: any) => e.kind), ['charge', 'authorization']);
      const page = await server.request('GET', `/stockroom/v1/ledger?teamId=${team.id}&limit=2`);
      assert.deepEqual(page.body.entries.map((e: any) => e.kind), ['credit', 'charge']);
      assert.equal(page.body.pagination.next, base + 1);
      const older = await server.request('GET', `/stockroom/v1/ledger?teamId=${team.id}&limit=2&until=${page.body.pagination.next}`);
      assert.deepEqual(older.body.entries.map((e: any) => e.kind), ['authorization']);
      assert.equal(older.body.pagination.next, null);
      const bad = await server.request('GET', `/stockroom/v1/ledger?teamId=${team.id}&limit=0`);
      assert.equal(bad.status, 400);
      assert.equal(bad.body.error.param, 'limit');
    });

    test('appendLedgerEntry records an operation key once, also inside a transaction', async () => {
      const server = sharedServer();
      const team = await createTeam(server);
      const db = server.stockroom.ctx.db;
      const entry = { teamId: team.id, storeId: 'store_x', kind: 'charge' as const, amountCents: 1234, operationKey: 'store_x:charge', createdAt: 1 };
      const first = await appendLedgerEntry(db, entry);
      const second = await appendLedgerEntry(db, { ...entry, createdAt: 2, reference: 'ch_retry' });
      assert.deepEqual(second, first);
      assert.match(first.id, /^led_[A-Za-z0-9]{24}$/);
      // On PostgreSQL a failed insert would abort the transaction; the repeat must not.
      const inTransaction = await db.transaction().execute(async (trx) => {
        const again = await appendLedgerEntry(trx, entry);
        const next = await appendLedgerEntry(trx, { ...entry, kind: 'refund', operationKey: 'store_x:refund', createdAt: 3 });
        return [again.id, next.kind];
      });
      assert.deepEqual(inTransaction, [first.id, 'refund']);
      await assert.rejects(appendLedgerEntry(db, { ...entry, amountCents: 1 }), /already records a different movement/);

      const rows = await db.selectFrom('ledger_entries').selectAll().where('team_id', '=', team.id).orderBy('created_at').execute();
      assert.deepEqual(rows.map((r) => [r.operation_key, r.kind, r.amount_cents, r.currency, r.reference, r.created_at]), [
        ['store_x:charge', 'charge', 1234, 'usd', null, 1],
        ['store_x:refund', 'refund', 1234, 'usd', null, 3],
      ]);
    });
  });
}
