import assert from 'node:assert/strict';
import { after, describe, test } from 'node:test';
import { dialectsToTest, startPartner, usePartner, type PartnerHarness } from './harness.js';

const planIds = (answer: { body: any }) => answer.body.plans.map((plan: { id: string }) => plan.id);

for (const dialect of dialectsToTest()) {
  describe(`reference partner free-plan quota, armed at 3 (${dialect})`, () => {
    let p: PartnerHarness;
    usePartner(dialect, (started) => (p = started), { partner: { freeResourceQuota: 3 } });

    const productPlans = async (installationId: string) =>
      p.request('GET', '/v1/products/acme-db/plans', { token: await p.systemToken(installationId) });

    test('withdraws the free plan once an installation holds 3 live free resources', async () => {
      const id = await p.install();
      for (let i = 0; i < 3; i += 1) {
        assert.deepEqual(planIds(await productPlans(id)), ['free', 'pro', 'prepaid']);
        assert.equal((await p.provision(id, { billingPlanId: 'free' })).status, 200);
      }
      assert.deepEqual(planIds(await productPlans(id)), ['pro', 'prepaid']);
      assert.deepEqual(planIds(await p.request('GET', `/v1/installations/${id}/plans`)), ['pro', 'prepaid', 'hobby', 'team'], 'the installation-level plans are not free resources: the quota leaves them');

      const refused = await p.provision(id, { billingPlanId: 'free' });
      assert.equal(refused.status, 400);
      assert.equal(refused.body.error.code, 'free_quota_exceeded');
      assert.equal(typeof refused.body.error.message, 'string');
      const free = await p.db.selectFrom('ref_partner_resources').select('id').where('installation_id', '=', id).where('billing_plan_id', '=', 'free').execute();
      assert.equal(free.length, 3);
      assert.equal((await p.provision(id, { billingPlanId: 'pro' })).status, 200, 'paid plans stay available');
    });

    test('counts free resources across products, and only live ones', async () => {
      const id = await p.install();
      await p.provision(id, { billingPlanId: 'free' });
      await p.provision(id, { billingPlanId: 'free', productId: 'acme-kv' });
      const third = await p.provision(id, { billingPlanId: 'free' });
      assert.equal((await p.provision(id, { billingPlanId: 'free', productId: 'acme-kv' })).status, 400);
      assert.equal((await p.request('DELETE', `/v1/installations/${id}/resources/${third.body.id}`)).status, 204);
      assert.deepEqual(planIds(await productPlans(id)), ['free', 'pro', 'prepaid']);
      assert.equal((await p.provision(id, { billingPlanId: 'free', productId: 'acme-kv' })).status, 200);
    });

    test("does not touch another installation's free plan", async () => {
      const full = await p.install();
      for (let i = 0; i < 3; i += 1) await p.provision(full, { billingPlanId: 'free' });
      const other = await p.install();
      assert.deepEqual(planIds(await productPlans(other)), ['free', 'pro', 'prepaid']);
      assert.equal((await p.provision(other, { billingPlanId: 'free' })).status, 200);
    });

    test('a resource already on the free plan still sees it in its own plan list', async () => {
      const id = await p.install();
      const first = await p.provision(id, { billingPlanId: 'free' });
      await p.provision(id, { billingPlanId: 'free' });
      await p.provision(id, { billingPlanId: 'free' });
      const paid = await p.provision(id, { billingPlanId: 'pro' });
      assert.deepEqual(planIds(await p.request('GET', `/v1/installations/${id}/resources/${first.body.id}/plans`)), ['free', 'pro', 'prepaid']);
      assert.deepEqual(planIds(await p.request('GET', `/v1/installations/${id}/resources/${paid.body.id}/plans`)), ['pro', 'prepaid']);
    });

    test('moving a resource to the free plan counts against the quota', async () => {
      const id = await p.install();
      for (let i = 0; i < 3; i += 1) await p.provision(id, { billingPlanId: 'free' });
      const paid = await p.provision(id, { billingPlanId: 'pro' });
      const answer = await p.request('PATCH', `/v1/installations/${id}/resources/${paid.body.id}`, { body: { billingPlanId: 'free' } });
      assert.equal(answer.status, 400);
      assert.equal(answer.body.error.code, 'free_quota_exceeded');
      const row = await p.db.selectFrom('ref_partner_resources').select('billing_plan_id').where('id', '=', paid.body.id).executeTakeFirstOrThrow();
      assert.equal(row.billing_plan_id, 'pro');
    });

    test('offers the free plan to a caller that has no installation yet', async () => {
      assert.deepEqual(planIds(await p.request('GET', '/v1/products/acme-db/plans', { token: await p.systemToken(null) })), ['free', 'pro', 'prepaid']);
    });
  });

  describe(`reference partner free-plan quota option (${dialect})`, () => {
    test('is off by default: an installation keeps the free plan however many free resources it holds', async (t) => {
      const p = await startPartner(dialect);
      t.after(() => p.close());
      const id = await p.install();
      for (let i = 0; i < 5; i += 1) assert.equal((await p.provision(id, { billingPlanId: 'free' })).status, 200);
      assert.deepEqual(planIds(await p.request('GET', '/v1/products/acme-db/plans', { token: await p.systemToken(id) })), ['free', 'pro', 'prepaid']);
      const free = await p.db.selectFrom('ref_partner_resources').select('id').where('installation_id', '=', id).where('billing_plan_id', '=', 'free').execute();
      assert.equal(free.length, 5);
    });

    test('freeResourceQuota sets how many free resources an installation may hold', async (t) => {
      const p = await startPartner(dialect, { partner: { freeResourceQuota: 1 } });
      t.after(() => p.close());
      const id = await p.install();
      assert.equal((await p.provision(id, { billingPlanId: 'free' })).status, 200);
      const refused = await p.provision(id, { billingPlanId: 'free' });
      assert.equal(refused.status, 400);
      assert.equal(refused.body.error.code, 'free_quota_exceeded');
    });

    test('concurrent free provisions never exceed the quota', async (t) => {
      const p = await startPartner(dialect, { partner: { freeResourceQuota: 2 } });
      t.after(() => p.close());
      const id = await p.install();
      const answers = await Promise.all(Array.from({ length: 6 }, () => p.provision(id, { billingPlanId: 'free' })));
      assert.equal(answers.filter((a) => a.status === 200).length, 2);
      assert.ok(answers.every((a) => a.status === 200 || a.body.error.code === 'free_quota_exceeded'));
    });
  });
}
