import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { dialectsToTest, newInstallationId, usePartner, type PartnerHarness } from './harness.js';
import { REFERENCE_PRODUCTS } from '../../src/providers/reference-partner/index.js';

describe('reference partner products', () => {
  test('offers acme-db and acme-kv with slugs and ids in Vercel formats', () => {
    assert.deepEqual(REFERENCE_PRODUCTS.map((p) => p.slug), ['acme-db', 'acme-kv']);
    for (const product of REFERENCE_PRODUCTS) {
      assert.match(product.slug, /^[a-z0-9-]+$/);
      assert.match(product.id, /^iap_[a-zA-Z0-9_]+$/);
      assert.ok(product.secrets.length >= 1);
    }
  });

  test('acme-db requires a region chosen from a select', () => {
    const schema = REFERENCE_PRODUCTS[0]!.metadataSchema;
    assert.deepEqual(schema.required, ['region']);
    const region = schema.properties.region;
    assert.ok(region && region.type === 'string' && region['ui:control'] === 'select');
    const values = region['ui:options'].map((o) => o.value);
    for (const v of ['iad1', 'sfo1', 'fra1']) assert.ok(values.includes(v));
    assert.equal(schema.properties.storageGb?.type, 'number');
    assert.equal(schema.properties.storageGb?.['ui:control'], 'input');
  });

  test('every metadata property carries a ui:control matching its type', () => {
    const allowed: Record<string, string[]> = { string: ['select'], number: ['input'], boolean: ['toggle'] };
    for (const product of REFERENCE_PRODUCTS) {
      for (const [key, property] of Object.entries(product.metadataSchema.properties)) {
        assert.ok(allowed[property.type]?.includes(property['ui:control']), `${product.slug}.${key}`);
      }
    }
  });
});

for (const dialect of dialectsToTest()) {
  describe(`reference partner plans (${dialect})`, () => {
    let p: PartnerHarness;
    usePartner(dialect, (started) => (p = started));

    test('lists free, pro and prepaid, in that order, with the documented fields', async () => {
      const answer = await p.request('GET', '/v1/products/acme-db/plans', { token: await p.systemToken(null) });
      assert.equal(answer.status, 200);
      const [free, pro, prepaid, ...rest] = answer.body.plans;
      assert.equal(rest.length, 0);
      assert.equal(free.id, 'free');
      assert.equal(free.type, 'subscription');
      assert.equal(free.paymentMethodRequired, false);
      assert.equal(free.cost, 'Free');
      assert.equal(pro.id, 'pro');
      assert.equal(pro.type, 'subscription');
      assert.equal(pro.paymentMethodRequired, true);
      assert.equal(pro.preauthorizationAmount, 10);
      assert.equal(pro.initialCharge, '20.00');
      assert.equal(pro.cost, '$20.00/month');
      assert.equal(prepaid.id, 'prepaid');
      assert.equal(prepaid.type, 'prepayment');
      assert.equal(prepaid.minimumAmount, '5.00');
      assert.equal(prepaid.maximumAmount, '500.00');
      for (const plan of answer.body.plans) {
        assert.equal(plan.scope, 'resource');
        assert.equal(typeof plan.name, 'string');
        assert.equal(typeof plan.description, 'string');
        assert.ok(plan.details.length > 0);
        assert.ok(plan.highlightedDetails.length > 0);
      }
    });

    test('accepts the product id as well as the slug', async () => {
      const answer = await p.request('GET', '/v1/products/iap_acme_kv/plans', { token: await p.systemToken(null) });
      assert.equal(answer.status, 200);
      assert.deepEqual(answer.body.plans.map((plan: { id: string }) => plan.id), ['free', 'pro', 'prepaid']);
    });

    test('names the region chosen in ?metadata in every plan', async () => {
      const metadata = encodeURIComponent(JSON.stringify({ region: 'fra1' }));
      const answer = await p.request('GET', `/v1/products/acme-db/plans?metadata=${metadata}`, { token: await p.systemToken(null) });
      assert.equal(answer.status, 200);
      for (const plan of answer.body.plans) {
        assert.deepEqual(plan.details.at(-1), { label: 'Region', value: 'Frankfurt, Germany (fra1)' });
      }
    });

    test('answers 400 naming metadata when ?metadata is not a JSON object', async () => {
      for (const bad of ['not-json', '[1,2]']) {
        const answer = await p.request('GET', `/v1/products/acme-db/plans?metadata=${encodeURIComponent(bad)}`, { token: await p.systemToken(null) });
        assert.equal(answer.status, 400);
        assert.equal(answer.body.error.code, 'validation_error');
        assert.deepEqual(answer.body.error.fields.map((f: { key: string }) => f.key), ['metadata']);
      }
    });

    test('answers 404 for an unknown product', async () => {
      const answer = await p.request('GET', '/v1/products/nope/plans', { token: await p.systemToken(null) });
      assert.equal(answer.status, 404);
      assert.equal(answer.body.error.code, 'not_found');
    });

    test('lists the installation plans, and 404 for an unknown installation', async () => {
      const id = await p.install();
      const answer = await p.request('GET', `/v1/installations/${id}/plans`, { token: await p.systemToken(id) });
      assert.equal(answer.status, 200);
      assert.deepEqual(answer.body.plans.map((plan: { id: string; scope: string }) => `${plan.id}:${plan.scope}`), ['free:resource', 'pro:resource', 'prepaid:resource', 'hobby:installation', 'team:installation']);
      const unknown = newInstallationId();
      assert.equal((await p.request('GET', `/v1/installations/${unknown}/plans`, { token: await p.systemToken(unknown) })).status, 404);
    });

    test('lists the plans of a resource, and 404 for an unknown resource', async () => {
      const id = await p.install();
      const created = await p.provision(id, { metadata: { region: 'sfo1' } });
      const answer = await p.request('GET', `/v1/installations/${id}/resources/${created.body.id}/plans`, { token: await p.systemToken(id) });
      assert.equal(answer.status, 200);
      assert.deepEqual(answer.body.plans.map((plan: { id: string }) => plan.id), ['free', 'pro', 'prepaid']);
      assert.deepEqual(answer.body.plans[0].details.at(-1), { label: 'Region', value: 'San Francisco, USA (sfo1)' });
      const missing = await p.request('GET', `/v1/installations/${id}/resources/res_unknown/plans`, { token: await p.systemToken(id) });
      assert.equal(missing.status, 404);
      assert.equal(missing.body.error.code, 'not_found');
    });
  });
}
