import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { sql } from 'kysely';
import { dialectsToTest } from '../helpers/databases.js';
import { useSharedServer } from '../helpers/shared-server.js';
import { startTestServer, type TestResponse } from '../helpers/stockroom.js';

function assertVercelError(res: TestResponse, status: number, code: string) {
  assert.equal(res.status, status, res.text);
  assert.deepEqual(Object.keys(res.body), ['error']);
  assert.equal(res.body.error.code, code);
  assert.equal(typeof res.body.error.message, 'string');
  assert.match(res.headers.get('content-type') ?? '', /^application\/json/);
}

for (const dialect of dialectsToTest()) {
  describe(`error shape (${dialect})`, () => {
    const sharedServer = useSharedServer(dialect);

    test('answers an unknown route with 404 not_found and a wrong method with 405', async () => {
      const server = sharedServer();
      assertVercelError(await server.request('GET', '/v9/nothing/here'), 404, 'not_found');
      assertVercelError(await server.request('GET', '/v9/nothing/here', { token: null }), 404, 'not_found');
      const wrong = await server.request('PUT', '/v2/user');
      assertVercelError(wrong, 405, 'method_unknown');
      assert.equal(wrong.headers.get('allow'), 'GET');
    });

    test('answers malformed JSON with 400, a foreign content type with 415, an oversized body with 413', async () => {
      const server = sharedServer();
      const countTeams = async () => (await server.stockroom.ctx.db.selectFrom('teams').select('id').execute()).length;
      const teamsBefore = await countTeams();
      const bad = await server.request('POST', '/v1/teams', { rawBody: '{"slug": ', headers: { 'content-type': 'application/json' } });
      assertVercelError(bad, 400, 'bad_request');
      assertVercelError(await server.request('POST', '/v1/teams', { rawBody: 'slug=x', headers: { 'content-type': 'text/plain' } }), 415, 'unsupported_media_type');
      const huge = JSON.stringify({ slug: 'x'.repeat(1024 * 1024 + 10) });
      assertVercelError(await server.request('POST', '/v1/teams', { rawBody: huge, headers: { 'content-type': 'application/json' } }), 413, 'payload_too_large');
      // Nothing was created by any of them (the tests of this describe run one at a time).
      assert.equal(await countTeams(), teamsBefore);
    });

    test('names the failing field in `param` when the body does not match the schema', async () => {
      const server = sharedServer();
      const missing = await server.request('POST', '/v1/teams', { body: { name: 'no slug' } });
      assertVercelError(missing, 400, 'bad_request');
      // Extra fields beside code and message are allowed in Vercel's error object.
      assert.equal(missing.body.error.param, 'slug');
      const pattern = await server.request('POST', '/v1/teams', { body: { slug: 'Not A Slug!' } });
      assert.equal(pattern.status, 400);
      assert.equal(pattern.body.error.param, 'slug');
      const notObject = await server.request('POST', '/v1/teams', { body: [1, 2] });
      assert.equal(notObject.status, 400);
    });

    test('answers an uncaught failure with 500 internal_server_error, the request id and no internals', async (t) => {
      // A server of its own: this test breaks its database.
      const server = await startTestServer(t, dialect);
      // Break the database underneath the running server: a real failure, not a test hook.
      await sql`drop table memberships`.execute(server.stockroom.ctx.db);
      const res = await server.request('GET', '/v2/teams', { headers: { 'x-request-id': 'trace-abc-123' } });
      assert.equal(res.status, 500, res.text);
      assert.equal(res.body.error.code, 'internal_server_error');
      assert.equal(res.body.error.requestId, 'trace-abc-123');
      assert.equal(res.headers.get('x-request-id'), 'trace-abc-123');
      assert.ok(!/memberships|sqlite|relation|stack|at /i.test(res.body.error.message), res.body.error.message);
    });

    test('echoes a safe x-request-id and makes one otherwise', async () => {
      const server = sharedServer();
      const echoed = await server.request('GET', '/healthz', { headers: { 'x-request-id': 'abc.DEF-123' } });
      assert.equal(echoed.headers.get('x-request-id'), 'abc.DEF-123');
      const made = await server.request('GET', '/healthz', { headers: { 'x-request-id': 'bad id\twith spaces' } });
      assert.match(made.headers.get('x-request-id') ?? '', /^req_[0-9a-f]{32}$/);
    });

    test('serves health, readiness and the OpenAPI document without a token', async () => {
      const server = sharedServer();
      const health = await server.request('GET', '/healthz', { token: null });
      assert.deepEqual([health.status, health.body], [200, { status: 'ok' }]);
      const ready = await server.request('GET', '/readyz', { token: null });
      assert.deepEqual([ready.status, ready.body], [200, { status: 'ok' }]);
      const doc = await server.request('GET', '/openapi.json', { token: null });
      assert.equal(doc.status, 200);
      assert.equal(doc.body.openapi, '3.1.0');
      for (const path of ['/v2/user', '/v1/teams', '/v2/teams', '/v2/teams/{teamId}', '/v3/user/tokens', '/v5/user/tokens', '/v3/user/tokens/{tokenId}']) {
        assert.ok(doc.body.paths[path], `OpenAPI documents ${path}`);
      }
      assert.ok(doc.body.paths['/v1/teams'].post.requestBody, 'request bodies come from the route schemas');
    });
  });
}
