import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { createTestDatabase, dialectsToTest } from '../helpers/databases.js';
import { startTestServer } from '../helpers/stockroom.js';
import { bootstrapInstallationId } from '../helpers/stores.js';

for (const dialect of dialectsToTest()) {
  describe(`bootstrap and restart (${dialect})`, () => {
    test('creates one owner, team and token on the first start, and nothing on a restart', async (t) => {
      const database = await createTestDatabase(dialect);
      t.after(() => database.drop());
      const first = await startTestServer(t, dialect, { database });
      assert.equal(first.stockroom.bootstrap.created, true);
      const team = await first.request('POST', '/v1/teams', { body: { slug: 'kept-across-restarts' } });
      assert.equal(team.status, 200);
      await first.stop();

      const second = await startTestServer(t, dialect, { database });
      assert.equal(second.stockroom.bootstrap.created, false);
      assert.equal(second.stockroom.bootstrap.userId, first.stockroom.bootstrap.userId);
      const db = second.stockroom.ctx.db;
      assert.equal((await db.selectFrom('users').select('id').execute()).length, 1);
      assert.equal((await db.selectFrom('tokens').select('id').execute()).length, 1);
      const me = await second.request('GET', '/v2/user');
      assert.equal(me.status, 200);
      assert.equal(me.body.user.id, first.stockroom.bootstrap.userId);
      const teams = await second.request('GET', '/v2/teams');
      assert.ok(teams.body.teams.some((x: any) => x.slug === 'kept-across-restarts'));
    });

    test('gives the bootstrap team a Visa test card as its default once, so a paid create needs no setup', async (t) => {
      const database = await createTestDatabase(dialect);
      t.after(() => database.drop());
      const first = await startTestServer(t, dialect, { database });
      const teamId = first.stockroom.bootstrap.teamId;
      const listed = await first.request('GET', `/stockroom/v1/payment-methods?teamId=${teamId}`);
      assert.equal(listed.status, 200, listed.text);
      const own = listed.body.paymentMethods.filter((m: any) => !m.shared);
      assert.equal(own.length, 1, listed.text);
      const card = own[0];
      assert.match(card.id, /^pm_[A-Za-z0-9]{24}$/);
      assert.deepEqual({ source: card.source, brand: card.brand, last4: card.last4, isDefault: card.isDefault }, { source: 'pm_card_visa', brand: 'visa', last4: '4242', isDefault: true });
      assert.equal(listed.body.defaultPaymentMethodId, card.id);
      const db = first.stockroom.ctx.db;
      assert.deepEqual(
        (await db.selectFrom('payment_methods').select(['id', 'source', 'deleted_at']).where('team_id', '=', teamId).execute()).map((r) => ({ ...r })),
        [{ id: card.id, source: 'pm_card_visa', deleted_at: null }],
      );
      assert.equal((await db.selectFrom('teams').select('default_payment_method_id').where('id', '=', teamId).executeTakeFirstOrThrow()).default_payment_method_id, card.id);

      // A paid create that names no method pays with it: an authorization and a charge in the ledger.
      const icfg = await bootstrapInstallationId(first);
      const created = await first.request('POST', '/v1/storage/stores/integration/direct', {
        body: { name: 'paid-out-of-the-box', integrationConfigurationId: icfg, integrationProductIdOrSlug: 'acme-db', metadata: { region: 'iad1' }, billingPlanId: 'pro' },
      });
      assert.equal(created.status, 200, created.text);
      assert.equal(created.body.store.billingPlan.id, 'pro');
      const ledger = await db.selectFrom('ledger_entries').select(['kind', 'payment_method_id', 'store_id']).where('team_id', '=', teamId).orderBy('created_at').execute();
      assert.ok(ledger.length > 0, 'the create paid');
      assert.ok(ledger.some((e) => e.kind === 'charge'), 'a charge was made');
      for (const entry of ledger) assert.deepEqual({ ...entry }, { kind: entry.kind, payment_method_id: card.id, store_id: created.body.store.id });
      await first.stop();

      const second = await startTestServer(t, dialect, { database });
      const again = await second.request('GET', `/stockroom/v1/payment-methods?teamId=${teamId}`);
      assert.deepEqual(again.body.paymentMethods.filter((m: any) => !m.shared).map((m: any) => m.id), [card.id], 'a restart adds no second card');
      assert.equal(again.body.defaultPaymentMethodId, card.id);
      assert.equal((await second.stockroom.ctx.db.selectFrom('payment_methods').select('id').execute()).length, 1);
    });

    test('without STOCKROOM_TOKEN, generates a token once and returns it only on that start', async (t) => {
      const database = await createTestDatabase(dialect);
      t.after(() => database.drop());
      const first = await startTestServer(t, dialect, { database, env: { STOCKROOM_TOKEN: '' } });
      const generated = first.stockroom.bootstrap.generatedToken;
      assert.match(generated ?? '', /^srk_[A-Za-z0-9]{40}$/);
      assert.equal((await first.request('GET', '/v2/user', { token: generated })).status, 200);
      await first.stop();
      const second = await startTestServer(t, dialect, { database, env: { STOCKROOM_TOKEN: '' } });
      assert.equal(second.stockroom.bootstrap.generatedToken, undefined);
      assert.equal((await second.request('GET', '/v2/user', { token: generated })).status, 200);
    });
  });
}
