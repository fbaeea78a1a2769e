import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createSecretBox } from '../../src/crypto/secret-box.js';
import { createPartnerClient } from '../../src/providers/partner-client.js';
import { createSigner } from '../../src/providers/signing-keys.js';
import { startScriptedProvider } from '../helpers/scripted-provider.js';
import { MemorySigningKeyStore } from './memory-signing-key-store.js';
import { INSTALLATION, partnerFixture, provisioned, provisionBody, resource, system, upsertBody, user } from './partner-fixture.js';

const RES = `/v1/installations/${INSTALLATION}/resources/res_1`;

const plans = [
  { id: 'pro200', type: 'subscription', name: 'Pro', description: 'Pro', scope: 'resource', paymentMethodRequired: true, preauthorizationAmount: 5, cost: '$10 every Gb' },
  { id: 'default', type: 'subscription', name: 'Hobby', description: 'Free', paymentMethodRequired: false, cost: 'Free', maxResources: 3 },
  { id: 'prepay10', type: 'prepayment', name: 'Prepay 10', description: 'Credits', minimumAmount: '10.00', maximumAmount: '100.00' },
];

describe('partner client answers', () => {
  for (const answer of [{ status: 200, body: {} }, { status: 201 }, { status: 204 }]) {
    it(`accepts a ${answer.status} to upsertInstallation and sends the body as JSON`, async (t) => {
      const { provider, client } = await partnerFixture(t);
      provider.on('PUT', `/v1/installations/${INSTALLATION}`, answer);
      await client.upsertInstallation(INSTALLATION, upsertBody, user);
      const [request] = provider.requests;
      assert.equal(request?.headers['content-type'], 'application/json');
      assert.deepEqual(request?.body, upsertBody);
    });
  }

  it('returns plans in the provider’s order and sends metadata as a JSON query string', async (t) => {
    const { provider, client } = await partnerFixture(t);
    provider.on('GET', '/v1/products/redis/plans', { status: 200, body: { plans } });
    const listed = await client.listProductPlans('redis', { installationId: INSTALLATION, metadata: { region: 'iad1', size: 2 } }, system);
    assert.deepEqual(listed.map((p) => p.id), ['pro200', 'default', 'prepay10']);
    assert.equal(listed[1]?.paymentMethodRequired, false);
    assert.deepEqual(JSON.parse(provider.requests[0]?.query.get('metadata') ?? ''), { region: 'iad1', size: 2 });
  });

  it('sends Update Installation as a user-auth PATCH with its Idempotency-Key, and reads a 204 as {} and a 200 as the plan and notification', async (t) => {
    const { provider, client } = await partnerFixture(t);
    const plan = { id: 'org', type: 'subscription', name: 'Org', scope: 'installation', paymentMethodRequired: true };
    provider.on('PATCH', `/v1/installations/${INSTALLATION}`, { status: 204 }, { status: 200, body: { billingPlan: plan, notification: null } }, { status: 200, body: { billingPlan: { id: 'org' } } });
    assert.deepEqual(await client.updateInstallation(INSTALLATION, { billingPlanId: 'org' }, user, { idempotencyKey: 'ipc-1' }), {});
    const [request] = provider.requests;
    assert.deepEqual(request?.body, { billingPlanId: 'org' });
    assert.equal(request?.headers['x-vercel-auth'], 'user');
    assert.equal(request?.headers['idempotency-key'], 'ipc-1');
    assert.deepEqual(await client.updateInstallation(INSTALLATION, { billingPlanId: 'org' }, user, { idempotencyKey: 'ipc-2' }), { billingPlan: plan, notification: null });
    await assert.rejects(client.updateInstallation(INSTALLATION, { billingPlanId: 'org' }, user, { idempotencyKey: 'ipc-3' }), { kind: 'malformed' });
  });

  it('reads an installation with system auth: its installation-level plan, or none (also a 204); a plan without its fields is malformed', async (t) => {
    const { provider, client } = await partnerFixture(t);
    const plan = { id: 'org', type: 'subscription', name: 'Org', scope: 'installation', paymentMethodRequired: true };
    provider.on('GET', `/v1/installations/${INSTALLATION}`, { status: 200, body: { billingPlan: plan } }, { status: 200, body: {} }, { status: 204 }, { status: 200, body: { billingPlan: { id: 'org' } } });
    assert.deepEqual(await client.getInstallation(INSTALLATION, system), { billingPlan: plan });
    assert.equal(provider.requests[0]?.headers['x-vercel-auth'], 'system');
    assert.deepEqual(await client.getInstallation(INSTALLATION, system), {});
    assert.deepEqual(await client.getInstallation(INSTALLATION, system), {});
    await assert.rejects(client.getInstallation(INSTALLATION, system), { kind: 'malformed' });
  });

  it('lists the plans for an installation with system auth', async (t) => {
    const { provider, client } = await partnerFixture(t);
    provider.on('GET', `/v1/installations/${INSTALLATION}/plans`, { status: 200, body: { plans } });
    assert.deepEqual((await client.listInstallationPlans(INSTALLATION, system)).map((p) => p.id), ['pro200', 'default', 'prepay10']);
    assert.equal(provider.requests[0]?.headers['x-vercel-auth'], 'system');
  });

  it('splits a provision answer into the resource and its secrets', async (t) => {
    const { provider, client } = await partnerFixture(t);
    provider.on('POST', `/v1/installations/${INSTALLATION}/resources`, { status: 201, body: { ...provisioned, status: 'pending', extra: 'kept' } });
    const { resource: created, secrets } = await client.provisionResource(INSTALLATION, { ...provisionBody, externalId: 'ext-1' }, user, { idempotencyKey: 'k' });
    assert.equal(created.status, 'pending');
    assert.equal('secrets' in created, false);
    assert.deepEqual(secrets, provisioned.secrets);
    assert.deepEqual(provider.requests[0]?.body, { ...provisionBody, externalId: 'ext-1' });
  });

  it('reads a resource and deletes it with a 204', async (t) => {
    const { provider, client } = await partnerFixture(t);
    provider.on('GET', RES, { status: 200, body: resource });
    provider.on('DELETE', RES, { status: 204 });
    assert.deepEqual(await client.getResource(INSTALLATION, 'res_1', system), resource);
    await client.deleteResource(INSTALLATION, 'res_1', system, { idempotencyKey: 'del-1' });
    assert.equal(provider.requestsTo('DELETE', RES).length, 1);
  });

  it('sends cascadeResourceDeletion when deleting an installation', async (t) => {
    const { provider, client } = await partnerFixture(t);
    provider.on('DELETE', `/v1/installations/${INSTALLATION}`, { status: 200, body: { finalized: true } });
    await client.deleteInstallation(INSTALLATION, { cascadeResourceDeletion: true }, user);
    assert.deepEqual(provider.requests[0]?.body, { cascadeResourceDeletion: true });
  });

  it('reads Delete Installation’s answer: a JSON object without finalized:true asks to wait; 204, finalized:true or a non-object is final', async (t) => {
    const { provider, client } = await partnerFixture(t);
    const answers = [
      [{ status: 200, body: { finalized: false } }, false],
      [{ status: 200, body: {} }, false],
      [{ status: 200, body: { finalized: 'no' } }, false],
      [{ status: 200, body: { finalized: true } }, true],
      [{ status: 204 }, true],
      [{ status: 200, rawBody: 'ok' }, true],
      [{ status: 200, body: [] }, true],
    ] as const;
    provider.on('DELETE', `/v1/installations/${INSTALLATION}`, ...answers.map(([answer]) => answer));
    for (const [answer, finalized] of answers) {
      assert.deepEqual(await client.deleteInstallation(INSTALLATION, { cascadeResourceDeletion: false }, user), { finalized }, JSON.stringify(answer));
    }
  });

  it('returns rotated secrets on 200 and sync:false on 202, even with an empty body', async (t) => {
    const { provider, client } = await partnerFixture(t);
    const path = `${RES}/secrets/rotate`;
    const newSecrets = [{ name: 'REDIS_URL', value: 'redis://new@host' }];
    provider.on('POST', path, { status: 200, body: { sync: true, secrets: newSecrets } }, { status: 202, body: { sync: false } }, { status: 202 });
    const opts = { idempotencyKey: 'rot' };
    assert.deepEqual(await client.rotateSecrets(INSTALLATION, 'res_1', { delayOldSecretsExpirationHours: 1.5 }, user, opts), { sync: true, secrets: newSecrets });
    assert.deepEqual(await client.rotateSecrets(INSTALLATION, 'res_1', {}, user, opts), { sync: false });
    assert.deepEqual(await client.rotateSecrets(INSTALLATION, 'res_1', {}, user, opts), { sync: false });
    assert.deepEqual(provider.requests[0]?.body, { delayOldSecretsExpirationHours: 1.5 });
  });

  it('keeps a path prefix in the provider’s base URL and encodes ids', async (t) => {
    const provider = await startScriptedProvider();
    t.after(() => provider.close());
    const signer = createSigner({ store: new MemorySigningKeyStore(), secretBox: createSecretBox('prefix test passphrase'), issuer: () => 'http://s.test' });
    const client = createPartnerClient({ signer }).forProvider({ baseUrl: `${provider.baseUrl}/api/vercel/`, clientId: 'oac_1' });
    provider.on('GET', `/api/vercel/v1/installations/${INSTALLATION}/resources/a%2Fb`, { status: 200, body: resource });
    await client.getResource(INSTALLATION, 'a/b', system);
    assert.equal(provider.requests[0]?.path, `/api/vercel/v1/installations/${INSTALLATION}/resources/a%2Fb`);
  });
});
