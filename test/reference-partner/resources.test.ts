import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { dialectsToTest, newInstallationId, usePartner, type PartnerHarness } from './harness.js';
import { resourceRows } from './stored-resources.js';

for (const dialect of dialectsToTest()) {
  describe(`reference partner resources (${dialect})`, () => {
    let p: PartnerHarness;
    usePartner(dialect, (started) => (p = started));

    test('Provision Resource answers 200 with the Resource and its generated secrets, and stores it', async () => {
      const id = await p.install();
      const answer = await p.provision(id, { name: 'orders', metadata: { region: 'fra1', storageGb: 5 }, billingPlanId: 'pro', externalId: 'ext-1' });
      assert.equal(answer.status, 200);
      const body = answer.body;
      assert.match(body.id, /^res_[a-z0-9]{24}$/);
      assert.equal(body.productId, 'acme-db');
      assert.equal(body.name, 'orders');
      assert.deepEqual(body.metadata, { region: 'fra1', storageGb: 5 });
      assert.equal(body.status, 'ready');
      assert.equal(body.billingPlan.id, 'pro');
      assert.equal(body.billingPlan.initialCharge, '20.00');
      assert.deepEqual(body.secrets.map((s: { name: string }) => s.name), ['ACME_DB_URL', 'ACME_DB_TOKEN']);
      assert.match(body.secrets[0].value, /^postgres:\/\/.+@.+\.fra1\.db\.acme\.invalid:5432\//);
      assert.match(body.secrets[1].value, /^acme_[A-Za-z0-9]{40}$/);

      const [row, ...others] = await resourceRows(p.db, id);
      assert.equal(others.length, 0);
      assert.ok(row);
      assert.equal(row.id, body.id);
      assert.equal(row.name, 'orders');
      assert.equal(row.billing_plan_id, 'pro');
      assert.equal(row.external_id, 'ext-1');
      assert.deepEqual(p.openSecrets(row), body.secrets);
      assert.ok(!JSON.stringify(row).includes(body.secrets[0].value), 'sealed at rest');
    });

    test('acme-kv resources get their own secret names', async () => {
      const id = await p.install();
      const answer = await p.provision(id, { productId: 'acme-kv', metadata: { region: 'sfo1', eviction: true } });
      assert.equal(answer.status, 200);
      assert.deepEqual(
        answer.body.secrets.map((s: { name: string }) => s.name),
        ['ACME_KV_REST_API_URL', 'ACME_KV_REST_API_TOKEN', 'ACME_KV_REST_API_READ_ONLY_TOKEN'],
      );
    });

    test('two resources never share secret values', async () => {
      const id = await p.install();
      const a = await p.provision(id);
      const b = await p.provision(id);
      assert.notEqual(a.body.id, b.body.id);
      assert.notEqual(a.body.secrets[1].value, b.body.secrets[1].value);
    });

    test('Get Resource answers the Resource without secrets', async () => {
      const id = await p.install();
      const created = await p.provision(id, { name: 'reader' });
      const answer = await p.request('GET', `/v1/installations/${id}/resources/${created.body.id}`);
      assert.equal(answer.status, 200);
      const { secrets, ...resource } = created.body;
      assert.ok(secrets);
      assert.deepEqual(answer.body, resource);
    });

    test('Get Resource answers 404 not_found for an unknown id', async () => {
      const id = await p.install();
      const answer = await p.request('GET', `/v1/installations/${id}/resources/res_doesnotexist`);
      assert.equal(answer.status, 404);
      assert.equal(answer.body.error.code, 'not_found');
      assert.match(answer.body.error.message, /res_doesnotexist/);
    });

    test("Get Resource does not find another installation's resource", async () => {
      const mine = await p.install();
      const theirs = await p.install();
      const created = await p.provision(theirs);
      assert.equal((await p.request('GET', `/v1/installations/${mine}/resources/${created.body.id}`)).status, 404);
    });

    test('List Resources answers every live resource, or those in ?ids', async () => {
      const id = await p.install();
      const a = (await p.provision(id, { name: 'a' })).body.id;
      const b = (await p.provision(id, { name: 'b' })).body.id;
      const c = (await p.provision(id, { name: 'c' })).body.id;
      const all = await p.request('GET', `/v1/installations/${id}/resources`);
      assert.equal(all.status, 200);
      assert.deepEqual(all.body.resources.map((r: { id: string }) => r.id).sort(), [a, b, c].sort());
      assert.equal(all.body.resources[0].secrets, undefined);
      const repeated = await p.request('GET', `/v1/installations/${id}/resources?ids=${a}&ids=${c}&ids=res_unknown`);
      assert.deepEqual(repeated.body.resources.map((r: { id: string }) => r.id).sort(), [a, c].sort());
      const comma = await p.request('GET', `/v1/installations/${id}/resources?ids=${b},${c}`);
      assert.deepEqual(comma.body.resources.map((r: { id: string }) => r.id).sort(), [b, c].sort());
    });

    test('Update Resource changes name, metadata and plan', async () => {
      const id = await p.install();
      const created = await p.provision(id, { billingPlanId: 'pro' });
      const answer = await p.request('PATCH', `/v1/installations/${id}/resources/${created.body.id}`, {
        body: { name: 'renamed', metadata: { region: 'sfo1', storageGb: 20 }, billingPlanId: 'prepaid' },
      });
      assert.equal(answer.status, 200);
      assert.equal(answer.body.name, 'renamed');
      assert.deepEqual(answer.body.metadata, { region: 'sfo1', storageGb: 20 });
      assert.equal(answer.body.billingPlan.id, 'prepaid');
      const [row] = await resourceRows(p.db, id);
      assert.ok(row);
      assert.equal(row.name, 'renamed');
      assert.equal(row.billing_plan_id, 'prepaid');
    });

    test('Update Resource can set the (deprecated) status', async () => {
      const id = await p.install();
      const created = await p.provision(id);
      const answer = await p.request('PATCH', `/v1/installations/${id}/resources/${created.body.id}`, { body: { status: 'suspended' } });
      assert.equal(answer.status, 200);
      assert.equal(answer.body.status, 'suspended');
      assert.equal((await p.request('GET', `/v1/installations/${id}/resources/${created.body.id}`)).body.status, 'suspended');
    });

    test('Update Resource refuses invalid metadata and unknown plans with 400 fields', async () => {
      const id = await p.install();
      const created = await p.provision(id);
      const path = `/v1/installations/${id}/resources/${created.body.id}`;
      const badRegion = await p.request('PATCH', path, { body: { metadata: { region: 'mars1' } } });
      assert.equal(badRegion.status, 400);
      assert.deepEqual(badRegion.body.error.fields.map((f: { key: string }) => f.key), ['region']);
      const badPlan = await p.request('PATCH', path, { body: { billingPlanId: 'gold' } });
      assert.equal(badPlan.status, 400);
      assert.deepEqual(badPlan.body.error.fields.map((f: { key: string }) => f.key), ['billingPlanId']);
      const badStatus = await p.request('PATCH', path, { body: { status: 'exploded' } });
      assert.equal(badStatus.status, 400);
      assert.equal(badStatus.body.error.code, 'validation_error');
      assert.equal((await resourceRows(p.db, id))[0]?.billing_plan_id, 'pro');
    });

    test('Update Resource answers 404 for an unknown resource', async () => {
      const id = await p.install();
      const answer = await p.request('PATCH', `/v1/installations/${id}/resources/res_unknown`, { body: { name: 'x' } });
      assert.equal(answer.status, 404);
      assert.equal(answer.body.error.code, 'not_found');
    });

    test('Delete Resource answers 204, and 204 again for a deleted or unknown resource', async () => {
      const id = await p.install();
      const created = await p.provision(id);
      const path = `/v1/installations/${id}/resources/${created.body.id}`;
      const first = await p.request('DELETE', path);
      assert.equal(first.status, 204);
      assert.equal(first.body, null);
      assert.equal((await p.request('GET', path)).status, 404);
      assert.equal((await p.request('DELETE', path)).status, 204);
      assert.equal((await p.request('DELETE', `/v1/installations/${id}/resources/res_unknown`)).status, 204);
      const [row] = await resourceRows(p.db, id);
      assert.ok(row);
      assert.notEqual(row.deleted_at, null);
    });

    test('Provision with an unknown billingPlanId is a 400 naming billingPlanId, and stores nothing', async () => {
      const id = await p.install();
      const answer = await p.provision(id, { billingPlanId: 'gold' });
      assert.equal(answer.status, 400);
      assert.equal(answer.body.error.code, 'validation_error');
      assert.deepEqual(answer.body.error.fields.map((f: { key: string }) => f.key), ['billingPlanId']);
      assert.match(answer.body.error.fields[0].message, /free, pro, prepaid/);
      assert.equal((await resourceRows(p.db, id)).length, 0);
    });

    test('Provision with an unknown product is a 400 naming productId', async () => {
      const id = await p.install();
      const answer = await p.provision(id, { productId: 'acme-blob' });
      assert.equal(answer.status, 400);
      assert.deepEqual(answer.body.error.fields.map((f: { key: string }) => f.key), ['productId']);
      assert.equal((await resourceRows(p.db, id)).length, 0);
    });

    test('Provision checks metadata against the product schema and lists every failing field', async () => {
      const id = await p.install();
      const missing = await p.provision(id, { metadata: { storageGb: 'big' } });
      assert.equal(missing.status, 400);
      assert.equal(missing.body.error.code, 'validation_error');
      assert.deepEqual(missing.body.error.fields.map((f: { key: string }) => f.key).sort(), ['region', 'storageGb']);
      const notAnOption = await p.provision(id, { metadata: { region: 'mars1' } });
      assert.equal(notAnOption.status, 400);
      assert.match(notAnOption.body.error.fields[0].message, /iad1/);
      const outOfRange = await p.provision(id, { metadata: { region: 'iad1', storageGb: 0 } });
      assert.deepEqual(outOfRange.body.error.fields.map((f: { key: string }) => f.key), ['storageGb']);
      assert.equal((await resourceRows(p.db, id)).length, 0);
    });

    test('Provision keeps metadata keys the schema does not know', async () => {
      const id = await p.install();
      const answer = await p.provision(id, { metadata: { region: 'iad1', team: 'checkout' } });
      assert.equal(answer.status, 200);
      assert.deepEqual(answer.body.metadata, { region: 'iad1', team: 'checkout' });
    });

    test('Provision without a required field is a 400 naming it', async () => {
      const id = await p.install();
      const answer = await p.request('POST', `/v1/installations/${id}/resources`, {
        body: { productId: 'acme-db', name: 'x', metadata: { region: 'iad1' } },
      });
      assert.equal(answer.status, 400);
      assert.equal(answer.body.error.code, 'validation_error');
      assert.deepEqual(answer.body.error.fields.map((f: { key: string }) => f.key), ['billingPlanId']);
    });

    test('Provision on an installation that was never upserted is a 404 and stores nothing', async () => {
      const id = newInstallationId();
      const answer = await p.provision(id);
      assert.equal(answer.status, 404);
      assert.equal(answer.body.error.code, 'not_found');
      assert.match(answer.body.error.message, new RegExp(id));
      assert.equal((await resourceRows(p.db, id)).length, 0);
    });
  });
}
