import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, test } from 'node:test';
import { exportJWK, generateKeyPair, SignJWT, type CryptoKey } from 'jose';
import { eventually } from '../helpers/eventually.js';
import { FIXTURE_PRODUCT, FREE_PLAN, PAID_PLAN, startFixturePartner, type FixturePartner, type FixturePartnerOptions } from './fixture-partner.js';

// The fixture partner's own check, before the checker drives it (broken-partners.test.ts): each
// answer the checker relies on, and each departure switch changing just its one answer.

const CLIENT_ID = 'oac_fixture';
const KID = 'fixture-key-1';

/** The Vercel side of the fixture's world: the JWKS and the secrets callback, on one server. */
interface MiniVercel {
  readonly url: string;
  /** The partner's calls back (secrets PUTs, events). */
  readonly received: Array<{ method: string; path: string; authorization: string | undefined; body: any }>;
  sign(claims: Record<string, unknown>, overrides?: { key?: CryptoKey; kid?: string; expiresIn?: number; audience?: string }): Promise<string>;
  close(): Promise<void>;
}

async function startMiniVercel(): Promise<MiniVercel> {
  const { privateKey, publicKey } = await generateKeyPair('RS256');
  const jwk = { ...(await exportJWK(publicKey)), kid: KID, alg: 'RS256', use: 'sig' };
  const received: MiniVercel['received'] = [];
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      if (req.method === 'GET' && req.url === '/.well-known/jwks.json') return res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ keys: [jwk] }));
      if ((req.method === 'PUT' && req.url?.endsWith('/secrets')) || (req.method === 'POST' && req.url?.endsWith('/events'))) {
        received.push({ method: req.method, path: req.url, authorization: req.headers.authorization, body: JSON.parse(Buffer.concat(chunks).toString('utf8')) });
        return res.writeHead(201, { 'content-type': 'application/json' }).end('{}');
      }
      res.writeHead(404).end();
    });
  });
  server.listen(0, '127.0.0.1');
  await new Promise((resolve) => server.once('listening', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url,
    received,
    async sign(claims, overrides = {}) {
      const now = Math.floor(Date.now() / 1000);
      return new SignJWT(claims)
        .setProtectedHeader({ alg: 'RS256', kid: overrides.kid ?? KID })
        .setIssuer(url)
        .setAudience(overrides.audience ?? CLIENT_ID)
        .setIssuedAt(now)
        .setExpirationTime(now + (overrides.expiresIn ?? 300))
        .sign(overrides.key ?? privateKey);
    },
    close: async () => {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}

let vercel: MiniVercel;
before(async () => (vercel = await startMiniVercel()));
after(() => vercel.close());

const partners: FixturePartner[] = [];
after(() => Promise.all(partners.map((p) => p.close())));

async function partner(options: Partial<FixturePartnerOptions> = {}): Promise<FixturePartner> {
  const started = await startFixturePartner({ jwksUrl: `${vercel.url}/.well-known/jwks.json`, issuer: vercel.url, clientId: CLIENT_ID, vercelUrl: vercel.url, ...options });
  partners.push(started);
  return started;
}

let installationCounter = 0;
const newInstallationId = () => `icfg_fixture${++installationCounter}`;
const userToken = (icfg: string | null, role = 'ADMIN') => vercel.sign({ sub: 'account:a1:user:u1', installation_id: icfg, user_role: role, type: 'access_token' });
const systemToken = (icfg: string | null) => vercel.sign({ sub: 'account:a1', installation_id: icfg, type: 'access_token' });

async function call(p: FixturePartner, method: string, path: string, options: { token?: string | null; body?: unknown; idempotencyKey?: string } = {}): Promise<{ status: number; body: any }> {
  const headers: Record<string, string> = {};
  if (options.token) headers.authorization = `Bearer ${options.token}`;
  if (options.body !== undefined) headers['content-type'] = 'application/json';
  if (options.idempotencyKey) headers['idempotency-key'] = options.idempotencyKey;
  const response = await fetch(`${p.url}${path}`, { method, headers, body: options.body === undefined ? undefined : JSON.stringify(options.body) });
  const text = await response.text();
  return { status: response.status, body: text === '' ? undefined : JSON.parse(text) };
}

/** An installation upserted with access token `access-<icfg>`. */
async function install(p: FixturePartner): Promise<string> {
  const icfg = newInstallationId();
  const answer = await call(p, 'PUT', `/v1/installations/${icfg}`, { token: await userToken(icfg), body: { scopes: [], credentials: { access_token: `access-${icfg}`, token_type: 'Bearer' } } });
  assert.equal(answer.status, 204);
  return icfg;
}

async function provision(p: FixturePartner, icfg: string, overrides: { billingPlanId?: string; idempotencyKey?: string } = {}) {
  return call(p, 'POST', `/v1/installations/${icfg}/resources`, {
    token: await userToken(icfg),
    body: { productId: FIXTURE_PRODUCT, name: 'db-one', metadata: { region: 'fra1' }, billingPlanId: overrides.billingPlanId ?? FREE_PLAN.id },
    idempotencyKey: overrides.idempotencyKey ?? `key-${Math.random()}`,
  });
}

const getResource = async (p: FixturePartner, icfg: string, id: string, token?: string) => call(p, 'GET', `/v1/installations/${icfg}/resources/${id}`, { token: token ?? (await systemToken(icfg)) });

function assertStandardError(answer: { status: number; body: any }, status: number, code: string): void {
  assert.equal(answer.status, status, JSON.stringify(answer.body));
  assert.equal(answer.body.error.code, code);
  assert.equal(typeof answer.body.error.message, 'string');
}

describe('the fixture partner, conformant', () => {
  test('serves plans, installations and a resource through its whole life', async () => {
    const p = await partner();
    const before = await call(p, 'GET', `/v1/products/${FIXTURE_PRODUCT}/plans?metadata=${encodeURIComponent('{"region":"fra1"}')}`, { token: await systemToken(null) });
    assert.equal(before.status, 200);
    assert.deepEqual(before.body.plans.map((plan: { id: string }) => plan.id), [FREE_PLAN.id, PAID_PLAN.id]);
    const icfg = await install(p);
    assert.deepEqual(await call(p, 'GET', `/v1/installations/${icfg}`, { token: await systemToken(icfg) }), { status: 200, body: {} });
    assert.equal((await call(p, 'GET', `/v1/installations/${icfg}/plans`, { token: await systemToken(icfg) })).body.plans.length, 2);

    const created = await provision(p, icfg, { idempotencyKey: 'k-1' });
    assert.equal(created.status, 200);
    assert.equal(created.body.status, 'ready');
    assert.equal(created.body.billingPlan.id, FREE_PLAN.id);
    assert.deepEqual(created.body.secrets.map((s: { name: string }) => s.name), ['DATABASE_URL', 'DATABASE_PASSWORD']);
    assert.ok(p.issuedSecretValues.includes(created.body.secrets[1].value));
    const replayed = await provision(p, icfg, { idempotencyKey: 'k-1' });
    assert.deepEqual(replayed, created);
    const listed = await call(p, 'GET', `/v1/installations/${icfg}/resources?ids=${created.body.id},res_none`, { token: await systemToken(icfg) });
    assert.deepEqual(listed.body.resources.map((r: { id: string }) => r.id), [created.body.id]);

    const read = await getResource(p, icfg, created.body.id);
    assert.equal(read.status, 200);
    assert.equal(read.body.secrets, undefined);
    assert.equal(read.body.name, 'db-one');
    const renamed = await call(p, 'PATCH', `/v1/installations/${icfg}/resources/${created.body.id}`, { token: await userToken(icfg), body: { name: 'db-two' } });
    assert.equal(renamed.status, 200);
    assert.equal((await getResource(p, icfg, created.body.id)).body.name, 'db-two');

    const rotated = await call(p, 'POST', `/v1/installations/${icfg}/resources/${created.body.id}/secrets/rotate`, { token: await systemToken(icfg), body: { reason: 'test', delayOldSecretsExpirationHours: 0 } });
    assert.equal(rotated.status, 200);
    assert.equal(rotated.body.sync, true);
    assert.deepEqual(rotated.body.secrets.map((s: { name: string }) => s.name), ['DATABASE_URL', 'DATABASE_PASSWORD']);
    assert.notEqual(rotated.body.secrets[1].value, created.body.secrets[1].value);

    assert.equal((await call(p, 'DELETE', `/v1/installations/${icfg}/resources/${created.body.id}`, { token: await userToken(icfg) })).status, 204);
    assert.equal((await getResource(p, icfg, created.body.id)).body.status, 'uninstalled');
    assert.equal((await call(p, 'DELETE', `/v1/installations/${icfg}`, { token: await userToken(icfg), body: { cascadeResourceDeletion: true } })).status, 204);
    assertStandardError(await call(p, 'GET', `/v1/installations/${icfg}`, { token: await systemToken(icfg) }), 404, 'not_found');
  });

  test('answers unknown resources 404 and unknown plans 400 naming the field, in the standard error shape', async () => {
    const p = await partner();
    const icfg = await install(p);
    assertStandardError(await getResource(p, icfg, 'res_nope'), 404, 'not_found');
    const unknownPlan = await provision(p, icfg, { billingPlanId: 'no-such-plan' });
    assertStandardError(unknownPlan, 400, 'validation_error');
    assert.deepEqual(unknownPlan.body.error.fields.map((f: { key: string }) => f.key), ['billingPlanId']);
    assertStandardError(await call(p, 'GET', '/v1/products/other/plans', { token: await systemToken(null) }), 404, 'not_found');
  });

  test('refuses every token fault with 403 forbidden', async () => {
    const p = await partner();
    const icfg = await install(p);
    const other = await install(p);
    const { id } = (await provision(p, icfg)).body;
    const stranger = await generateKeyPair('RS256');
    const refused = {
      'no token': await getResource(p, icfg, id, ''),
      'not a JWT': await getResource(p, icfg, id, 'not-a-jwt'),
      expired: await getResource(p, icfg, id, await vercel.sign({ installation_id: icfg }, { expiresIn: -900 })),
      'unknown kid': await getResource(p, icfg, id, await vercel.sign({ installation_id: icfg }, { key: stranger.privateKey, kid: 'stranger' })),
      'bad signature': await getResource(p, icfg, id, await vercel.sign({ installation_id: icfg }, { key: stranger.privateKey })),
      'other installation': await getResource(p, icfg, id, await systemToken(other)),
      'USER role write': await call(p, 'PATCH', `/v1/installations/${icfg}/resources/${id}`, { token: await userToken(icfg, 'USER'), body: { name: 'x' } }),
    };
    for (const [fault, answer] of Object.entries(refused)) assert.equal(answer.status, 403, fault);
    for (const answer of Object.values(refused)) assertStandardError(answer, 403, 'forbidden');
    assert.equal((await getResource(p, icfg, id)).body.name, 'db-one');
  });

  test('rotation: async answers 202 and PUTs the new secrets to Vercel with the installation access token', async () => {
    const p = await partner({ rotation: 'async' });
    const icfg = await install(p);
    const { id } = (await provision(p, icfg)).body;
    const rotated = await call(p, 'POST', `/v1/installations/${icfg}/resources/${id}/secrets/rotate`, { token: await systemToken(icfg), body: {} });
    assert.deepEqual(rotated, { status: 202, body: { sync: false } });
    const put = await eventually('the rotated secrets reach Vercel', () => vercel.received.find((s) => s.method === 'PUT' && s.path === `/v1/installations/${icfg}/resources/${id}/secrets`) ?? false);
    assert.equal(put.authorization, `Bearer access-${icfg}`);
    assert.deepEqual(put.body.secrets.map((s: { name: string }) => s.name), ['DATABASE_URL', 'DATABASE_PASSWORD']);
    assert.ok(p.issuedSecretValues.includes(put.body.secrets[1].value));
    assert.deepEqual(p.vercelCalls.map((c) => c.status), [201]);
  });

  test('pendingFor: a resource reads pending, then ready, announced by a resource.updated event', async () => {
    const p = await partner({ pendingFor: 300 });
    const icfg = await install(p);
    const created = await provision(p, icfg);
    assert.equal(created.body.status, 'pending');
    assert.equal((await getResource(p, icfg, created.body.id)).body.status, 'pending');
    const event = await eventually('the event reaches Vercel', () => vercel.received.find((r) => r.path === `/v1/installations/${icfg}/events`) ?? false);
    assert.deepEqual(event.body, { event: { type: 'resource.updated', productId: FIXTURE_PRODUCT, resourceId: created.body.id } });
    assert.equal(event.authorization, `Bearer access-${icfg}`);
    assert.equal((await getResource(p, icfg, created.body.id)).body.status, 'ready');
  });
});

describe('the fixture partner, each departure', () => {
  test('ignoresIdempotencyKey: a replay provisions a second resource', async () => {
    const p = await partner({ ignoresIdempotencyKey: true });
    const icfg = await install(p);
    const first = await provision(p, icfg, { idempotencyKey: 'same' });
    const second = await provision(p, icfg, { idempotencyKey: 'same' });
    assert.equal(second.status, 200);
    assert.notEqual(second.body.id, first.body.id);
  });

  test('acceptsExpiredTokens: an expired token reads the resource; a wrong audience is still refused', async () => {
    const p = await partner({ acceptsExpiredTokens: true });
    const icfg = await install(p);
    const { id } = (await provision(p, icfg)).body;
    assert.equal((await getResource(p, icfg, id, await vercel.sign({ installation_id: icfg }, { expiresIn: -900 }))).status, 200);
    assert.equal((await getResource(p, icfg, id, await vercel.sign({ installation_id: icfg }, { audience: 'oac_other' }))).status, 403);
  });

  test('unknownKid500: a token of an unknown kid is a 500; a bad signature is still 403', async () => {
    const p = await partner({ unknownKid500: true });
    const icfg = await install(p);
    const { id } = (await provision(p, icfg)).body;
    const stranger = await generateKeyPair('RS256');
    assert.equal((await getResource(p, icfg, id, await vercel.sign({ installation_id: icfg }, { key: stranger.privateKey, kid: 'stranger' }))).status, 500);
    assert.equal((await getResource(p, icfg, id, await vercel.sign({ installation_id: icfg }, { key: stranger.privateKey }))).status, 403);
  });

  test('omitsSecrets: Provision answers no secrets, rotation still does', async () => {
    const p = await partner({ omitsSecrets: true });
    const icfg = await install(p);
    const created = await provision(p, icfg);
    assert.equal(created.status, 200);
    assert.equal(created.body.secrets, undefined);
    const rotated = await call(p, 'POST', `/v1/installations/${icfg}/resources/${created.body.id}/secrets/rotate`, { token: await systemToken(icfg), body: {} });
    assert.equal(rotated.body.secrets.length, 2);
  });

  test('wrongStatusCodes: unknown plan 404, unknown resource 400', async () => {
    const p = await partner({ wrongStatusCodes: true });
    const icfg = await install(p);
    assertStandardError(await provision(p, icfg, { billingPlanId: 'no-such-plan' }), 404, 'not_found');
    assert.equal((await getResource(p, icfg, 'res_nope')).status, 400);
    assert.equal((await provision(p, icfg)).status, 200);
  });

  test("nonStandardErrorBodies: 4xx bodies are {error:true, code}", async () => {
    const p = await partner({ nonStandardErrorBodies: true });
    const icfg = await install(p);
    assert.deepEqual(await getResource(p, icfg, 'res_nope'), { status: 404, body: { error: true, code: 'not_found' } });
    assert.deepEqual(await getResource(p, icfg, 'res_nope', 'not-a-jwt'), { status: 403, body: { error: true, code: 'forbidden' } });
  });

  test('neverReady: a resource stays pending', async () => {
    const p = await partner({ neverReady: true });
    const icfg = await install(p);
    const created = await provision(p, icfg);
    assert.equal(created.body.status, 'pending');
    assert.equal((await getResource(p, icfg, created.body.id)).body.status, 'pending');
    assert.deepEqual(p.vercelCalls, []);
  });
});
