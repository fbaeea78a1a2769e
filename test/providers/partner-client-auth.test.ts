import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { hexId } from '../../src/providers/signing-keys.js';
import type { Caller, PartnerClient } from '../../src/providers/partner-client.js';
import { INSTALLATION, partnerFixture, provisioned, provisionBody, resource, system, upsertBody, user } from './partner-fixture.js';

interface EndpointCase {
  readonly name: string;
  readonly method: string;
  readonly path: string;
  readonly answer: { status: number; body?: unknown };
  readonly style: 'user' | 'system';
  readonly mutating: boolean;
  readonly invoke: (client: PartnerClient, caller: Caller) => Promise<unknown>;
}

const RES = `/v1/installations/${INSTALLATION}/resources/res_1`;

// The auth column of partner-api.md §1.1: user for what a person triggers, system for reads and
// plan listings, either for deletes and rotation (user when a user is given).
const cases: EndpointCase[] = [
  { name: 'upsertInstallation', method: 'PUT', path: `/v1/installations/${INSTALLATION}`, answer: { status: 204 }, style: 'user', mutating: true,
    invoke: (c) => c.upsertInstallation(INSTALLATION, upsertBody, user) },
  { name: 'provisionResource', method: 'POST', path: `/v1/installations/${INSTALLATION}/resources`, answer: { status: 200, body: provisioned }, style: 'user', mutating: true,
    invoke: (c) => c.provisionResource(INSTALLATION, provisionBody, user, { idempotencyKey: 'idem-provision' }) },
  { name: 'getResource', method: 'GET', path: RES, answer: { status: 200, body: resource }, style: 'system', mutating: false,
    invoke: (c) => c.getResource(INSTALLATION, 'res_1', system) },
  { name: 'listProductPlans', method: 'GET', path: '/v1/products/redis/plans', answer: { status: 200, body: { plans: [] } }, style: 'system', mutating: false,
    invoke: (c) => c.listProductPlans('redis', { installationId: INSTALLATION }, system) },
  ...(['user', 'system'] as const).flatMap((style): EndpointCase[] => {
    const caller = style === 'user' ? user : system;
    return [
      { name: `deleteInstallation as ${style}`, method: 'DELETE', path: `/v1/installations/${INSTALLATION}`, answer: { status: 204 }, style, mutating: true,
        invoke: (c) => c.deleteInstallation(INSTALLATION, { cascadeResourceDeletion: true }, caller, { idempotencyKey: `idem-delinst-${style}` }) },
      { name: `deleteResource as ${style}`, method: 'DELETE', path: RES, answer: { status: 204 }, style, mutating: true,
        invoke: (c) => c.deleteResource(INSTALLATION, 'res_1', caller, { idempotencyKey: `idem-delres-${style}` }) },
      { name: `rotateSecrets as ${style}`, method: 'POST', path: `${RES}/secrets/rotate`, answer: { status: 202, body: { sync: false } }, style, mutating: true,
        invoke: (c) => c.rotateSecrets(INSTALLATION, 'res_1', { reason: 'leak' }, caller, { idempotencyKey: `idem-rotate-${style}` }) },
    ];
  }),
];

describe('partner client authentication', () => {
  for (const testCase of cases) {
    it(`${testCase.name} sends a verifiable ${testCase.style} token${testCase.mutating ? ' and an Idempotency-Key' : ''}`, async (t) => {
      const { provider, client, verify, signer } = await partnerFixture(t);
      provider.on(testCase.method, testCase.path, testCase.answer);
      await testCase.invoke(client, testCase.style === 'user' ? user : system);

      const [request] = provider.requestsTo(testCase.method, testCase.path);
      assert.ok(request, 'the provider received the call');
      assert.equal(request.headers['x-vercel-auth'], testCase.style);
      const { payload, protectedHeader } = await verify(request);
      assert.equal(protectedHeader.kid, (await signer.jwks()).keys[0]?.kid);
      assert.equal(payload.type, 'access_token');
      assert.equal(payload.account_id, user.accountId);
      assert.equal(payload.installation_id, INSTALLATION, 'the token names the installation in the path');
      if (testCase.style === 'user') {
        assert.equal(payload.user_id, user.userId);
        assert.equal(payload.user_role, 'ADMIN');
        assert.equal(payload.user_email, user.userEmail);
        assert.equal(payload.sub, `account:${hexId(user.accountId)}:user:${hexId(user.userId)}`);
      } else {
        assert.equal(payload.user_id, undefined);
        assert.equal(payload.user_role, undefined);
        assert.equal(payload.sub, `account:${hexId(user.accountId)}`);
      }
      if (testCase.mutating) assert.ok(request.headers['idempotency-key'], 'a mutating call carries an Idempotency-Key');
      else assert.equal(request.headers['idempotency-key'], undefined);
    });
  }

  it('sends the caller-supplied Idempotency-Key unchanged', async (t) => {
    const { provider, client } = await partnerFixture(t);
    provider.on('POST', `/v1/installations/${INSTALLATION}/resources`, { status: 200, body: provisioned });
    await client.provisionResource(INSTALLATION, provisionBody, user, { idempotencyKey: 'store_Abc:provision' });
    assert.equal(provider.requests[0]?.headers['idempotency-key'], 'store_Abc:provision');
  });

  it('signs plan listings before installation with a null installation_id', async (t) => {
    const { provider, client, verify } = await partnerFixture(t);
    provider.on('GET', '/v1/products/redis/plans', { status: 200, body: { plans: [] } });
    await client.listProductPlans('redis', { installationId: null }, system);
    const [request] = provider.requests;
    assert.ok(request);
    assert.equal((await verify(request)).payload.installation_id, null);
  });

  it('tokens from this signer fail verification against another signer’s keys', async (t) => {
    const ours = await partnerFixture(t);
    const theirs = await partnerFixture(t);
    ours.provider.on('GET', RES, { status: 200, body: resource });
    await ours.client.getResource(INSTALLATION, 'res_1', system);
    await theirs.signer.ensureKey();
    const [request] = ours.provider.requests;
    assert.ok(request);
    await assert.rejects(theirs.verify(request));
  });
});
