import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createSecretBox } from '../../src/crypto/secret-box.js';
import { createPartnerClient } from '../../src/providers/partner-client.js';
import { ProviderError, type ProviderErrorKind } from '../../src/providers/provider-error.js';
import { createSigner } from '../../src/providers/signing-keys.js';
import { closedPortUrl } from '../helpers/scripted-provider.js';
import { MemorySigningKeyStore } from './memory-signing-key-store.js';
import { bearer, INSTALLATION, partnerFixture, provisioned, provisionBody, resource, system, user } from './partner-fixture.js';

const PROVISION = `/v1/installations/${INSTALLATION}/resources`;
const RES = `${PROVISION}/res_1`;
const KEY = { idempotencyKey: 'idem-1' };

function isProviderError(kind: ProviderErrorKind, status?: number) {
  return (error: unknown) => {
    assert.ok(error instanceof ProviderError, `expected a ProviderError, got ${String(error)}`);
    assert.equal(error.kind, kind);
    assert.equal(error.status, status);
    return true;
  };
}

describe('partner client retries', () => {
  it('retries a provision after 503 and reuses its Idempotency-Key and a valid token', async (t) => {
    const { provider, client, verify } = await partnerFixture(t);
    provider.on('POST', PROVISION, { status: 503, body: { error: { code: 'busy', message: 'try later' } } }, { status: 201, body: provisioned });

    const { resource: created } = await client.provisionResource(INSTALLATION, provisionBody, user, KEY);

    assert.equal(created.id, 'res_1');
    assert.equal(provider.requests.length, 2);
    assert.deepEqual(provider.requests.map((r) => r.headers['idempotency-key']), ['idem-1', 'idem-1']);
    for (const request of provider.requests) await verify(request);
  });

  it('retries 502 and 504 on reads', async (t) => {
    const { provider, client } = await partnerFixture(t);
    provider.on('GET', RES, { status: 502 }, { status: 504 }, { status: 200, body: resource });
    assert.equal((await client.getResource(INSTALLATION, 'res_1', system)).status, 'ready');
    assert.equal(provider.requests.length, 3);
  });

  it('keeps the upsert’s generated Idempotency-Key across retries', async (t) => {
    const { provider, client } = await partnerFixture(t);
    provider.on('PUT', `/v1/installations/${INSTALLATION}`, { status: 503 }, { status: 204 });
    await client.upsertInstallation(INSTALLATION, { scopes: [], acceptedPolicies: {}, credentials: { access_token: 't', token_type: 'Bearer' }, account: { url: 'u', contact: { email: 'e' } } }, user);
    const [first, second] = provider.requests.map((r) => r.headers['idempotency-key']);
    assert.ok(first);
    assert.equal(second, first);
  });

  it('gives up after the configured retries with the last 503', async (t) => {
    const { provider, client } = await partnerFixture(t, { retries: 2 });
    provider.on('POST', PROVISION, { status: 503 });
    await assert.rejects(client.provisionResource(INSTALLATION, provisionBody, user, KEY), isProviderError('server', 503));
    assert.equal(provider.requests.length, 3);
  });

  // Issue 13 §13: a 429 was not retried, and its Retry-After was not read.
  it('waits for a 429’s Retry-After, then retries with the same Idempotency-Key', async (t) => {
    const { provider, client } = await partnerFixture(t);
    provider.on('POST', PROVISION, { status: 429, headers: { 'retry-after': '1' }, body: { error: { code: 'rate_limited', message: 'slow down' } } }, { status: 201, body: provisioned });
    const started = Date.now();
    const { resource: created } = await client.provisionResource(INSTALLATION, provisionBody, user, KEY);
    assert.equal(created.id, 'res_1');
    assert.ok(Date.now() - started >= 950, `retried after ${Date.now() - started} ms, before the asked 1 s`);
    assert.deepEqual(provider.requests.map((r) => r.headers['idempotency-key']), ['idem-1', 'idem-1']);
  });

  it('reads a Retry-After given as an HTTP date, and retries a 429 without one after the usual backoff', async (t) => {
    const { provider, client } = await partnerFixture(t);
    provider.on('GET', RES, { status: 429, headers: { 'retry-after': new Date(Date.now() + 1500).toUTCString() } }, { status: 429 }, { status: 200, body: resource });
    const started = Date.now();
    assert.equal((await client.getResource(INSTALLATION, 'res_1', system)).status, 'ready');
    assert.ok(Date.now() - started >= 400, 'the HTTP date was not waited for');
    assert.equal(provider.requests.length, 3);
  });

  it('answers a 429 at once when its Retry-After ends past the call’s deadline', async (t) => {
    // A deadline long enough that waiting for it (or for the Retry-After) cannot pass for "at once"
    // on a loaded machine, where one local round trip may take a second.
    const deadlineMs = 60_000;
    const { provider, client } = await partnerFixture(t, { deadlineMs });
    provider.on('POST', PROVISION, { status: 429, headers: { 'retry-after': '3600' } }, { status: 201, body: provisioned });
    const started = Date.now();
    await assert.rejects(client.provisionResource(INSTALLATION, provisionBody, user, KEY), isProviderError('server', 429));
    const waited = Date.now() - started;
    assert.ok(waited < deadlineMs / 4, `answered after ${waited} ms: it waited instead of answering at once`);
    assert.equal(provider.requests.length, 1);
  });

  it('gives up on 429 after the configured retries', async (t) => {
    const { provider, client } = await partnerFixture(t, { retries: 2 });
    provider.on('GET', RES, { status: 429, headers: { 'retry-after': '0' } });
    await assert.rejects(client.getResource(INSTALLATION, 'res_1', system), isProviderError('server', 429));
    assert.equal(provider.requests.length, 3);
  });

  it('retries a timed-out provision with the same Idempotency-Key', async (t) => {
    const { provider, client } = await partnerFixture(t, { timeoutMs: 200 });
    provider.on('POST', PROVISION, { hang: true }, { status: 200, body: provisioned });
    await client.provisionResource(INSTALLATION, provisionBody, user, KEY);
    assert.deepEqual(provider.requests.map((r) => r.headers['idempotency-key']), ['idem-1', 'idem-1']);
  });

  for (const status of [400, 409, 500]) {
    it(`does not retry a ${status}`, async (t) => {
      const { provider, client } = await partnerFixture(t);
      provider.on('POST', PROVISION, { status, body: { error: { code: 'x', message: 'no' } } });
      await assert.rejects(client.provisionResource(INSTALLATION, provisionBody, user, KEY), ProviderError);
      assert.equal(provider.requests.length, 1);
    });
  }

  it('logs each retry without the token or the request body', async (t) => {
    const lines: Array<{ details: object; message: string }> = [];
    const { provider, client } = await partnerFixture(t, { logger: { warn: (details, message) => lines.push({ details, message }) } });
    provider.on('POST', PROVISION, { status: 503 }, { status: 200, body: provisioned });
    await client.provisionResource(INSTALLATION, provisionBody, user, KEY);

    assert.equal(lines.length, 1);
    assert.deepEqual({ ...lines[0]?.details, provider: undefined, retryInMs: undefined }, {
      provider: undefined, operation: 'provisionResource', attempt: 1, kind: 'server', status: 503, retryInMs: undefined,
    });
    assert.ok(!JSON.stringify(lines).includes(bearer(provider.requests[0]!)));
  });
});

describe('partner client failures', () => {
  it('turns a hanging provider into a timeout error', async (t) => {
    const { provider, client } = await partnerFixture(t, { timeoutMs: 100, retries: 1 });
    provider.on('GET', RES, { hang: true });
    await assert.rejects(client.getResource(INSTALLATION, 'res_1', system), isProviderError('timeout', undefined));
    assert.equal(provider.requests.length, 2, 'a timeout is retried');
  });

  it('turns a refused connection into a network error that maps to provisioning_failed', async () => {
    const signer = createSigner({ store: new MemorySigningKeyStore(), secretBox: createSecretBox('another passphrase, long'), issuer: () => 'http://s.test' });
    const client = createPartnerClient({ signer, retries: 1, retryDelayMs: 1 }).forProvider({ baseUrl: await closedPortUrl(), clientId: 'oac_1' });
    const error = await client.getResource(INSTALLATION, 'res_1', system).catch((e: unknown) => e);
    isProviderError('network', undefined)(error);
    const apiError = (error as ProviderError).toApiError();
    assert.equal(apiError.code, 'provisioning_failed');
    assert.equal(apiError.status, 500);
  });

  const malformed: Array<[string, { status: number; body?: unknown; rawBody?: string }]> = [
    ['a body that is not JSON', { status: 200, rawBody: '<html>oops</html>' }],
    ['an empty 204', { status: 204 }],
    ['a status outside the enum', { status: 200, body: { ...provisioned, status: 'bogus' } }],
    ['no secrets', { status: 200, body: resource }],
    ['a secret without a value', { status: 201, body: { ...provisioned, secrets: [{ name: 'A' }] } }],
    ['no id', { status: 200, body: { ...provisioned, id: undefined } }],
  ];
  for (const [what, answer] of malformed) {
    it(`treats a provision answered with ${what} as malformed, without retrying`, async (t) => {
      const { provider, client } = await partnerFixture(t);
      provider.on('POST', PROVISION, answer);
      await assert.rejects(client.provisionResource(INSTALLATION, provisionBody, user, KEY), isProviderError('malformed', answer.status));
      assert.equal(provider.requests.length, 1);
    });
  }

  // Issue 13 §13: an answer was read whole, whatever its size.
  it('stops reading an endless answer at the cap and treats it as malformed, without retrying', async (t) => {
    const { provider, client } = await partnerFixture(t, { maxAnswerBytes: 256 * 1024 });
    const endless = { streamed: 0, closed: false };
    provider.on('POST', PROVISION, { status: 201, endless });
    await assert.rejects(client.provisionResource(INSTALLATION, provisionBody, user, KEY), (error: unknown) => {
      isProviderError('malformed', 201)(error);
      assert.match(String((error as Error).cause), /larger than 262144 bytes/);
      return true;
    });
    while (!endless.closed) await new Promise((resolve) => setTimeout(resolve, 10));
    // What the provider could write before the close: the cap plus socket buffers, far from 1 GiB.
    assert.ok(endless.streamed < 16 * 1024 * 1024, `the client read ${endless.streamed} bytes`);
    assert.equal(provider.requests.length, 1);
  });

  it('refuses an answer whose Content-Length is over the cap without reading it, and keeps an error answer’s status', async (t) => {
    const { provider, client } = await partnerFixture(t, { maxAnswerBytes: 1024 });
    provider.on('GET', RES, { status: 200, rawBody: JSON.stringify({ ...resource, padding: 'x'.repeat(2048) }) });
    await assert.rejects(client.getResource(INSTALLATION, 'res_1', system), isProviderError('malformed', 200));
    provider.on('POST', PROVISION, { status: 400, rawBody: JSON.stringify({ error: { code: 'bad', message: 'x'.repeat(4096) } }) });
    await assert.rejects(client.provisionResource(INSTALLATION, provisionBody, user, KEY), isProviderError('validation', 400));
  });

  it('treats plans with an unknown scope or type as malformed', async (t) => {
    const { provider, client } = await partnerFixture(t);
    provider.on('GET', '/v1/products/redis/plans', { status: 200, body: { plans: [{ id: 'p', type: 'subscription', name: 'P', scope: 'team' }] } });
    await assert.rejects(client.listProductPlans('redis', { installationId: INSTALLATION }, system), isProviderError('malformed', 200));
    provider.on('GET', '/v1/products/redis/plans', { status: 200, body: { plans: [{ id: 'p', type: 'free', name: 'P' }] } });
    await assert.rejects(client.listProductPlans('redis', { installationId: INSTALLATION }, system), isProviderError('malformed', 200));
    provider.on('GET', '/v1/products/redis/plans', { status: 200, body: { items: [] } });
    await assert.rejects(client.listProductPlans('redis', { installationId: INSTALLATION }, system), isProviderError('malformed', 200));
  });

  it('keeps secret values and the token out of a malformed answer’s error', async (t) => {
    const { provider, client } = await partnerFixture(t);
    provider.on('POST', PROVISION, { status: 200, body: { ...provisioned, status: 42 } });
    const error = await client.provisionResource(INSTALLATION, provisionBody, user, KEY).catch((e: unknown) => e);
    assert.ok(error instanceof ProviderError);
    const everything = [error.message, String(error.cause), JSON.stringify(error.toApiError().toBody())].join('\n');
    assert.ok(!everything.includes('secret-value'));
    assert.ok(!everything.includes(bearer(provider.requests[0]!)));
    assert.match(String(error.cause), /\/status/);
  });

  it('passes a 400 with fields through as provider_validation_error with those fields', async (t) => {
    const { provider, client } = await partnerFixture(t);
    const fields = [{ key: 'name', message: 'Name is reserved' }, { key: 'region' }];
    provider.on('POST', PROVISION, { status: 400, body: { error: { code: 'validation_error', message: 'Invalid resource', fields } } });
    const error = await client.provisionResource(INSTALLATION, provisionBody, user, KEY).catch((e: unknown) => e);
    isProviderError('validation', 400)(error);
    const providerError = error as ProviderError;
    assert.equal(providerError.code, 'validation_error');
    assert.deepEqual(providerError.fields, fields);
    assert.deepEqual(providerError.toApiError().toBody(), { error: { code: 'provider_validation_error', message: 'Invalid resource', fields } });
    assert.equal(providerError.toApiError().status, 400);
  });

  it('passes a 409 through as conflict with the provider’s message', async (t) => {
    const { provider, client } = await partnerFixture(t);
    provider.on('POST', PROVISION, { status: 409, body: { error: { code: 'conflict', message: 'Name already used' } } });
    const error = await client.provisionResource(INSTALLATION, provisionBody, user, KEY).catch((e: unknown) => e);
    isProviderError('conflict', 409)(error);
    const apiError = (error as ProviderError).toApiError();
    assert.deepEqual({ code: apiError.code, status: apiError.status, message: apiError.message }, { code: 'conflict', status: 409, message: 'Name already used' });
  });

  const others: Array<[number, ProviderErrorKind, unknown]> = [
    [403, 'forbidden', 'Invalid audience'],
    [404, 'not_found', { error: true, code: 'not_found' }],
    [500, 'server', { error: { code: 'boom', message: 'internal' } }],
    [302, 'server', ''],
  ];
  for (const [status, kind, body] of others) {
    it(`maps a ${status} to ${kind} and to provisioning_failed`, async (t) => {
      const { provider, client } = await partnerFixture(t);
      provider.on('GET', RES, { status, ...(typeof body === 'string' ? { rawBody: body, headers: { location: 'http://elsewhere.test/' } } : { body }) });
      const error = await client.getResource(INSTALLATION, 'res_1', system).catch((e: unknown) => e);
      isProviderError(kind, status)(error);
      const apiError = (error as ProviderError).toApiError();
      assert.equal(apiError.code, 'provisioning_failed');
      assert.equal(apiError.status, 500);
      assert.match(apiError.message, /getResource/);
      assert.equal(provider.requests.length, 1);
    });
  }

  it('reads the example partner’s non-standard 404 body leniently', async (t) => {
    const { provider, client } = await partnerFixture(t);
    provider.on('GET', RES, { status: 404, body: { error: true, code: 'not_found' } });
    const error = await client.getResource(INSTALLATION, 'res_1', system).catch((e: unknown) => e);
    assert.ok(error instanceof ProviderError);
    assert.equal(error.code, 'not_found');
  });
});
