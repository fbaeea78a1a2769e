import assert from 'node:assert/strict';
import { request as httpRequest } from 'node:http';
import { describe, test } from 'node:test';
import { dialectsToTest } from '../helpers/databases.js';
import { startTestServer, type TestResponse, type TestServer } from '../helpers/stockroom.js';
import { bootstrapInstallationId } from '../helpers/stores.js';

/**
 * Issue 13 §8: hostile sizes and depths are refused at the edge with a 400 naming the field,
 * before any provider call or insert (docs/input-limits.md); what Node's HTTP parser refuses is
 * answered in Vercel's error shape with a request id.
 */

/** JSON text nested `depth` levels deep, built as text: JSON.stringify itself overflows first. */
function deepJson(depth: number): string {
  return `${'{"a":['.repeat(depth)}1${']}'.repeat(depth)}`;
}

const CREATE = '/v1/storage/stores/integration/direct';

function assertRefused(res: TestResponse, param: string): void {
  assert.equal(res.status, 400, res.text);
  assert.equal(res.body.error.code, 'bad_request');
  assert.equal(res.body.error.param, param);
  assert.match(res.body.error.message, new RegExp(param));
  assert.ok(res.headers.get('x-request-id'));
}

/** Nothing reached the provider or the database: no store, no ledger entry, no resource at the reference partner. */
async function assertNothingStored(server: TestServer): Promise<void> {
  const db = server.stockroom.ctx.db;
  assert.deepEqual(await db.selectFrom('stores').select('id').execute(), []);
  assert.deepEqual(await db.selectFrom('ledger_entries').select('id').execute(), []);
}

/** Sends raw bytes, for requests `fetch` would refuse to build; resolves with status, headers and body. */
function rawRequest(server: TestServer, path: string, headers: Record<string, string>): Promise<{ status: number; headers: Record<string, unknown>; body: any }> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(`${server.url}${path}`, { method: 'GET', headers }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (text += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: JSON.parse(text) }));
    });
    req.on('error', reject);
    req.end();
  });
}

for (const dialect of dialectsToTest()) {
  describe(`input limits at the edge (${dialect})`, () => {
    test('metadata of 12 to 20 KB is 400 naming `metadata`, before the provider is called', async (t) => {
      const server = await startTestServer(t, dialect);
      const icfg = await bootstrapInstallationId(server);
      for (const size of [12_000, 20_000]) {
        const res = await server.request('POST', CREATE, { body: { name: 'big-metadata', integrationConfigurationId: icfg, integrationProductIdOrSlug: 'acme-db', metadata: { region: 'iad1', note: 'x'.repeat(size) } } });
        assertRefused(res, 'metadata');
      }
      const plans = await server.request('GET', `/v1/integrations/integration/acme/products/acme-db/plans?metadata=${encodeURIComponent(JSON.stringify({ region: 'x'.repeat(12_000) }))}`);
      assertRefused(plans, 'metadata');
      const deepQuery = await server.request('GET', `/v1/integrations/integration/acme/products/acme-db/plans?metadata=${encodeURIComponent(`{"region":${deepJson(100)}}`)}`);
      assertRefused(deepQuery, 'metadata');
      await assertNothingStored(server);
    });

    test('JSON nested 3,000 to 6,000 deep is 400 naming the field, also with an Idempotency-Key', async (t) => {
      const server = await startTestServer(t, dialect);
      const icfg = await bootstrapInstallationId(server);
      for (const depth of [3_000, 6_000]) {
        const body = `{"name":"deep","integrationConfigurationId":"${icfg}","integrationProductIdOrSlug":"acme-db","metadata":{"region":${deepJson(depth)}}}`;
        const res = await server.request('POST', CREATE, { rawBody: body, headers: { 'content-type': 'application/json', 'idempotency-key': `deep-${depth}` } });
        assertRefused(res, 'metadata');
        const project = await server.request('POST', '/v11/projects', { rawBody: `{"name":"deep-${depth}","extra":${deepJson(depth)}}`, headers: { 'content-type': 'application/json', 'idempotency-key': `project-${depth}` } });
        assertRefused(project, 'extra');
        const whole = await server.request('POST', '/v11/projects', { rawBody: `[${deepJson(depth)}]`, headers: { 'content-type': 'application/json' } });
        assertRefused(whole, 'body');
      }
      // 32 levels in all are accepted: the limit is on depth, not on nesting as such.
      const shallow = await server.request('POST', '/v11/projects', { rawBody: `{"name":"shallow","extra":${deepJson(15)}}`, headers: { 'content-type': 'application/json' } });
      assert.equal(shallow.status, 200, shallow.text);
      await assertNothingStored(server);
      const projects = await server.stockroom.ctx.db.selectFrom('projects').select('name').execute();
      assert.deepEqual(projects.map((p) => p.name), ['shallow']);
    });

    test('an externalId, plan or payment method id of 20 KB is 400 naming it, and nothing is inserted', async (t) => {
      const server = await startTestServer(t, dialect);
      const icfg = await bootstrapInstallationId(server);
      for (const param of ['externalId', 'billingPlanId', 'paymentMethodId']) {
        const res = await server.request('POST', CREATE, { body: { name: 'long-id', integrationConfigurationId: icfg, integrationProductIdOrSlug: 'acme-db', metadata: { region: 'iad1' }, [param]: 'e'.repeat(20_000) } });
        assertRefused(res, param);
      }
      const big = await server.request('POST', CREATE, { body: { name: 'big-settings', integrationConfigurationId: icfg, integrationProductIdOrSlug: 'acme-db', metadata: { region: 'iad1' }, protocolSettings: { x: 'p'.repeat(12_000) } } });
      assertRefused(big, 'protocolSettings');
      await assertNothingStored(server);
      // The limit is generous: a 256-character externalId is stored.
      const ok = await server.request('POST', CREATE, { body: { name: 'long-enough', integrationConfigurationId: icfg, integrationProductIdOrSlug: 'acme-db', metadata: { region: 'iad1' }, externalId: 'e'.repeat(256) } });
      assert.equal(ok.status, 200, ok.text);
      const row = await server.stockroom.ctx.db.selectFrom('stores').select('external_id').executeTakeFirstOrThrow();
      assert.equal(row.external_id, 'e'.repeat(256));
    });

    test('a 100 KB URL and 3,000 headers are 431 in Vercel’s error shape with a request id', async (t) => {
      const server = await startTestServer(t, dialect);
      const longUrl = await server.request('GET', `/v1/storage/stores?x=${'u'.repeat(100_000)}`);
      assert.equal(longUrl.status, 431, longUrl.text);
      assert.equal(longUrl.body.error.code, 'request_header_fields_too_large');
      assert.equal(typeof longUrl.body.error.message, 'string');
      assert.match(longUrl.headers.get('x-request-id') ?? '', /^req_/);
      const headers: Record<string, string> = {};
      for (let i = 0; i < 3_000; i++) headers[`x-filler-${i}`] = 'v';
      const many = await rawRequest(server, '/v1/storage/stores', headers);
      assert.equal(many.status, 431);
      assert.equal(many.body.error.code, 'request_header_fields_too_large');
      assert.match(String(many.headers['x-request-id']), /^req_/);
      // The server goes on answering.
      assert.equal((await server.request('GET', '/healthz', { token: null })).status, 200);
    });
  });
}
