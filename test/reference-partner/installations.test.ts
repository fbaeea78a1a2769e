import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { dialectsToTest, installationBody, newInstallationId, usePartner, type PartnerHarness } from './harness.js';

for (const dialect of dialectsToTest()) {
  describe(`reference partner installations (${dialect})`, () => {
    let p: PartnerHarness;
    usePartner(dialect, (started) => (p = started));

    const row = (id: string) => p.db.selectFrom('ref_partner_installations').selectAll().where('id', '=', id).executeTakeFirst();

    test('Upsert Installation answers 200 {} and stores scopes, policies, account and credentials', async () => {
      const id = newInstallationId();
      const body = installationBody();
      const answer = await p.request('PUT', `/v1/installations/${id}`, { body });
      assert.equal(answer.status, 200);
      assert.deepEqual(answer.body, {});
      const stored = await row(id);
      assert.ok(stored);
      assert.deepEqual(JSON.parse(stored.scopes), body.scopes);
      assert.deepEqual(JSON.parse(stored.accepted_policies), body.acceptedPolicies);
      assert.deepEqual(JSON.parse(stored.account), body.account);
      const credentials = body.credentials as { access_token: string; token_type: string };
      // The token is kept sealed, bound to the installation: the partner calls Stockroom back with it.
      assert.ok(!JSON.stringify(stored).includes(credentials.access_token), 'no token at rest');
      assert.equal(p.openAccessToken(stored), credentials.access_token);
      assert.throws(() => p.openAccessToken({ ...stored, id: 'icfg_other' }), 'a sealed token copied to another row does not open');
      assert.equal(stored.token_type, 'Bearer');
      assert.equal(stored.deleted_at, null);
    });

    test('Update Installation moves it to an installation-level plan and answers the plan; other plans are 400, an unknown installation 404', async () => {
      const id = await p.install();
      const moved = await p.request('PATCH', `/v1/installations/${id}`, { body: { billingPlanId: 'team' } });
      assert.equal(moved.status, 200, JSON.stringify(moved.body));
      assert.equal(moved.body.billingPlan.id, 'team');
      assert.equal(moved.body.billingPlan.scope, 'installation');
      assert.equal((await row(id))?.billing_plan_id, 'team');
      // The plan it is on, again: the same answer.
      assert.equal((await p.request('PATCH', `/v1/installations/${id}`, { body: { billingPlanId: 'team' } })).status, 200);
      const perResource = await p.request('PATCH', `/v1/installations/${id}`, { body: { billingPlanId: 'pro' } });
      assert.equal(perResource.status, 400);
      assert.equal(perResource.body.error.code, 'validation_error');
      assert.deepEqual(perResource.body.error.fields.map((f: { key: string }) => f.key), ['billingPlanId']);
      assert.equal((await row(id))?.billing_plan_id, 'team', 'a refused change changes nothing');
      // Get Installation reports the plan: what Stockroom reads back when Update's answer was lost.
      const read = await p.request('GET', `/v1/installations/${id}`);
      assert.equal(read.status, 200);
      assert.equal(read.body.billingPlan.id, 'team');
      assert.equal(read.body.billingPlan.scope, 'installation');
      const unknown = newInstallationId();
      assert.equal((await p.request('PATCH', `/v1/installations/${unknown}`, { body: { billingPlanId: 'team' } })).status, 404);
    });

    test('Upsert Installation again updates the same installation', async () => {
      const id = newInstallationId();
      await p.request('PUT', `/v1/installations/${id}`, { body: installationBody() });
      const second = installationBody({ scopes: ['read:project'] });
      assert.equal((await p.request('PUT', `/v1/installations/${id}`, { body: second })).status, 200);
      const rows = await p.db.selectFrom('ref_partner_installations').selectAll().where('id', '=', id).execute();
      assert.equal(rows.length, 1);
      const [stored] = rows;
      assert.ok(stored);
      assert.deepEqual(JSON.parse(stored.scopes), ['read:project']);
      assert.equal(p.openAccessToken(stored), (second.credentials as { access_token: string }).access_token);
    });

    test('Upsert Installation without credentials is a 400 naming the field', async () => {
      const id = newInstallationId();
      const body = installationBody();
      delete body.credentials;
      const answer = await p.request('PUT', `/v1/installations/${id}`, { body });
      assert.equal(answer.status, 400);
      assert.equal(answer.body.error.code, 'validation_error');
      assert.deepEqual(answer.body.error.fields.map((f: { key: string }) => f.key), ['credentials']);
      assert.equal(await row(id), undefined);
    });

    test('Upsert Installation with malformed JSON is a 400', async () => {
      const answer = await p.request('PUT', `/v1/installations/${newInstallationId()}`, { rawBody: '{"scopes":' });
      assert.equal(answer.status, 400);
      assert.equal(answer.body.error.code, 'validation_error');
    });

    test('Get Installation answers 200 {} for an installed one on no installation-level plan, and 404 for an unknown one', async () => {
      const id = await p.install();
      const found = await p.request('GET', `/v1/installations/${id}`);
      assert.equal(found.status, 200);
      assert.deepEqual(found.body, {});
      const missing = await p.request('GET', `/v1/installations/${newInstallationId()}`);
      assert.equal(missing.status, 404);
      assert.equal(missing.body.error.code, 'not_found');
    });

    test('Delete Installation with cascadeResourceDeletion finalizes it and deletes its resources', async () => {
      const id = await p.install();
      const created = await p.provision(id);
      const answer = await p.request('DELETE', `/v1/installations/${id}`, { body: { cascadeResourceDeletion: true, reason: 'testing' } });
      assert.equal(answer.status, 200);
      assert.deepEqual(answer.body, { finalized: true });
      assert.equal((await p.request('GET', `/v1/installations/${id}`)).status, 404);
      assert.equal((await p.request('GET', `/v1/installations/${id}/resources/${created.body.id}`)).status, 404);
      assert.deepEqual((await p.request('GET', `/v1/installations/${id}/resources`)).body, { resources: [] });
      assert.notEqual((await row(id))?.deleted_at, null);
    });

    test('Delete Installation without cascade leaves its resources readable', async () => {
      const id = await p.install();
      const created = await p.provision(id);
      assert.equal((await p.request('DELETE', `/v1/installations/${id}`, { body: {} })).status, 200);
      assert.equal((await p.request('GET', `/v1/installations/${id}/resources/${created.body.id}`)).status, 200);
    });

    test('Delete Installation of one holding a finalize-later resource answers {finalized:false} (hook), and deletes it all the same', async () => {
      const id = await p.install();
      const created = await p.provision(id, { name: 'finalize-later-1' });
      assert.equal(created.status, 200, JSON.stringify(created.body));
      const answer = await p.request('DELETE', `/v1/installations/${id}`, { body: { cascadeResourceDeletion: true } });
      assert.equal(answer.status, 200);
      assert.deepEqual(answer.body, { finalized: false });
      assert.equal((await p.request('GET', `/v1/installations/${id}`)).status, 404);
      assert.notEqual((await row(id))?.deleted_at, null);
    });

    test('Delete Installation with no body, twice, answers {finalized:true} both times', async () => {
      const id = await p.install();
      for (let i = 0; i < 2; i += 1) {
        const answer = await p.request('DELETE', `/v1/installations/${id}`, { headers: { 'content-type': 'application/json' } });
        assert.equal(answer.status, 200);
        assert.deepEqual(answer.body, { finalized: true });
      }
    });

    test('a deleted installation refuses new resources until it is upserted again', async () => {
      const id = await p.install();
      await p.request('DELETE', `/v1/installations/${id}`, { body: { cascadeResourceDeletion: true } });
      const refused = await p.provision(id);
      assert.equal(refused.status, 404);
      assert.equal(refused.body.error.code, 'not_found');
      await p.install(id);
      assert.equal((await p.request('GET', `/v1/installations/${id}`)).status, 200);
      assert.equal((await p.provision(id)).status, 200);
    });
  });
}
