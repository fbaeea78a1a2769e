import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { Kysely } from 'kysely';
import { dialectsToTest } from '../helpers/databases.js';
import { partnerAccessToken } from '../helpers/reference-partner-db.js';
import { startTestServer, type TestResponse } from '../helpers/stockroom.js';
import { bootstrapInstallationId, createStore } from '../helpers/stores.js';

/**
 * The failures the hostile-input properties found, pinned as plain cases so that each stays fixed
 * whatever the fuzz's seed explores next. Most were 500s on PostgreSQL only.
 */

function assertError(res: TestResponse, status: number, code: string): void {
  assert.equal(res.status, status, res.text);
  assert.equal(res.body?.error?.code, code, res.text);
  assert.equal(typeof res.body.error.message, 'string');
  assert.ok(res.headers.get('x-request-id'), 'the request id is sent');
}

for (const dialect of dialectsToTest()) {
  describe(`inputs the fuzz found (${dialect})`, () => {
    test('a malformed percent-encoding or an over-long path segment is 400 in our shape, not Fastify’s', async (t) => {
      const server = await startTestServer(t, dialect);
      assertError(await server.request('GET', '/v2/teams/%zz'), 400, 'bad_request');
      assertError(await server.request('GET', `/v2/teams/${'a'.repeat(3000)}`), 400, 'bad_request');
    });

    test('a NUL character in the path, the query or a JSON body is 400, not a database error', async (t) => {
      const server = await startTestServer(t, dialect);
      assertError(await server.request('GET', '/v9/projects/a%00b'), 400, 'bad_request');
      assertError(await server.request('GET', '/v2/user?teamId=%00'), 400, 'bad_request');
      const body = await server.request('POST', '/v1/teams', { body: { slug: 'nul\u0000team' } });
      assertError(body, 400, 'bad_request');
      assert.equal(body.body.error.param, 'slug');
      const partner = await server.request('POST', '/partners/reference/v1/installations/icfg_x/resources', { token: null, body: { name: 'a\u0000' } });
      assert.equal(partner.status < 500, true, partner.text);
    });

    test('a repeated teamId is 403 like an unknown team', async (t) => {
      const server = await startTestServer(t, dialect);
      const teamId = server.stockroom.bootstrap.teamId;
      assertError(await server.request('GET', `/v9/projects?teamId=${teamId}&teamId=x`), 403, 'forbidden');
    });

    test('since and until beyond any time are 400', async (t) => {
      const server = await startTestServer(t, dialect);
      assertError(await server.request('GET', '/v2/teams?until=100000000000000000000'), 400, 'bad_request');
      assertError(await server.request('GET', '/v5/user/tokens?since=2.5e120'), 400, 'bad_request');
      assert.equal((await server.request('GET', `/v2/teams?until=${Date.now()}`)).status, 200);
    });

    test('resource.updated for a resource the provider no longer has is 404, not 500', async (t) => {
      const server = await startTestServer(t, dialect);
      const icfg = await bootstrapInstallationId(server);
      const store = await createStore(server, icfg, 'lost-at-provider');
      // The provider loses the resource without telling Stockroom.
      const partnerDb = server.stockroom.ctx.db as unknown as Kysely<{ ref_partner_resources: { id: string; deleted_at: number | null } }>;
      await partnerDb.updateTable('ref_partner_resources').set({ deleted_at: Date.now() }).where('id', '=', store.externalResourceId).execute();
      const access_token = await partnerAccessToken(server, icfg);
      const res = await server.request('POST', `/v1/installations/${icfg}/events`, {
        token: access_token,
        body: { event: { type: 'resource.updated', productId: 'acme-db', resourceId: store.externalResourceId } },
      });
      assertError(res, 404, 'not_found');
    });
  });
}
