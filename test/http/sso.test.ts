import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { Vercel } from '@vercel/sdk';
import { createRemoteJWKSet, jwtVerify } from 'jose';
import { hashToken } from '../../src/crypto/secret-box.js';
import { createMember, createTeam } from '../helpers/accounts.js';
import { dialectsToTest, type TestDialect } from '../helpers/databases.js';
import { partnerAccessToken } from '../helpers/reference-partner-db.js';
import { startTestServer, type TestServer } from '../helpers/stockroom.js';
import { bootstrapInstallationId, createProject, createStore } from '../helpers/stores.js';

/**
 * SSO, "Open in provider" (partner-api.md §1.3): Stockroom answers a team member with the
 * partner's Redirect Login URL carrying a one-time `code` and `state`; the partner exchanges them
 * with its client credentials at `POST /v1/integrations/sso/token` (the SDK's exchangeSsoToken)
 * for an `id_token` signed with Stockroom's keys, verified here against `/.well-known/jwks`.
 */

const DEFAULT_CATALOG = new URL('../../catalog/default.json', import.meta.url);
const OTHER_SECRET = 'other-integration-secret-0123456789';

/**
 * The default catalog with a Redirect Login URL on the reference integration (its client secret is
 * the one Stockroom derives for a built-in provider), plus a second integration with its own.
 */
function writeSsoCatalog(t: Parameters<typeof startTestServer>[0]): string {
  const dir = mkdtempSync(join(tmpdir(), 'stockroom-sso-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const catalog = JSON.parse(readFileSync(DEFAULT_CATALOG, 'utf8'));
  const reference = catalog.integrations[0];
  reference.redirectLoginUrl = 'builtin:reference/sso/landing';
  catalog.integrations.push({
    ...reference,
    id: 'oac_stockroomOther',
    slug: 'other',
    clientId: 'oac_stockroomOther',
    clientSecret: OTHER_SECRET,
    providerBaseUrl: 'https://other.invalid',
    redirectLoginUrl: 'https://other.invalid/sso',
    products: reference.products.map((p: { id: string; slug: string }) => ({ ...p, id: `${p.id}_other`, slug: `other-${p.slug}` })),
  });
  const path = join(dir, 'catalog.json');
  writeFileSync(path, JSON.stringify(catalog));
  return path;
}

async function world(t: Parameters<typeof startTestServer>[0], dialect: TestDialect) {
  const server = await startTestServer(t, dialect, { env: { STOCKROOM_CATALOG: writeSsoCatalog(t) } });
  const icfg = await bootstrapInstallationId(server);
  const store = await createStore(server, icfg, 'sso-db');
  const integration = server.stockroom.ctx.catalog.findIntegration('acme')!;
  assert.ok(integration.clientSecret && integration.clientSecret.length >= 32, 'a derived client secret');
  return { server, icfg, store, clientId: integration.clientId, clientSecret: integration.clientSecret };
}

async function openInProvider(server: TestServer, storeId: string, body: Record<string, unknown> = {}) {
  const res = await server.request('POST', `/stockroom/v1/stores/${storeId}/sso`, { body });
  assert.equal(res.status, 200, res.text);
  const url = new URL(res.body.url);
  return { url, code: url.searchParams.get('code')!, state: url.searchParams.get('state')!, expiresAt: res.body.expiresAt as number };
}

async function statusOf(call: Promise<unknown>): Promise<{ status: number; body: any }> {
  try {
    await call;
    return { status: 0, body: null };
  } catch (error) {
    const e = error as { statusCode: number; body: string };
    return { status: e.statusCode, body: JSON.parse(e.body) };
  }
}

async function codeRow(server: TestServer, code: string) {
  return server.stockroom.ctx.db.selectFrom('sso_codes').selectAll().where('code_hash', '=', hashToken(code)).executeTakeFirst();
}

for (const dialect of dialectsToTest()) {
  describe(`SSO, Open in provider (${dialect})`, () => {
    test('the redirect URL carries a one-time code; the exchange answers an id_token with the documented claims, once', async (t) => {
      const w = await world(t, dialect);
      const project = await createProject(w.server, 'sso-app');
      const available = await w.server.request('GET', `/stockroom/v1/stores/${w.store.id}/sso`);
      assert.deepEqual(available.body, { available: true });

      const before = w.server.clock.now();
      // An invoice of this installation (test mode: no money), for the invoice_id the partner gets.
      const partner = new Vercel({ bearerToken: await partnerAccessToken(w.server, w.icfg), serverURL: w.server.url });
      const { invoiceId } = await partner.marketplace.submitInvoice({
        integrationConfigurationId: w.icfg,
        requestBody: {
          invoiceDate: new Date(before),
          period: { start: new Date(before - 86_400_000), end: new Date(before) },
          items: [{ resourceId: w.store.externalResourceId, billingPlanId: 'free', name: 'Reads', price: '0.50', quantity: 1, units: 'M reads', total: '0.50' }],
          test: { result: 'paid' },
        },
      });
      const opened = await openInProvider(w.server, w.store.id, { projectId: project.id, invoiceId });
      assert.equal(`${opened.url.origin}${opened.url.pathname}`, `${w.server.url}/partners/reference/sso/landing`);
      assert.equal(opened.url.searchParams.get('resource_id'), w.store.externalResourceId);
      assert.equal(opened.url.searchParams.get('project_id'), project.id);
      assert.equal(opened.url.searchParams.get('invoice_id'), invoiceId);
      assert.ok(opened.code.length >= 40 && opened.state.length >= 20);

      // Stored by hash only, bound to the user, team, installation and resource.
      const row = await codeRow(w.server, opened.code);
      assert.ok(row);
      assert.ok(!JSON.stringify(row).includes(opened.code), 'the code itself is not stored');
      assert.equal(row.state, opened.state);
      assert.equal(row.user_id, w.server.stockroom.bootstrap.userId);
      assert.equal(row.team_id, w.server.stockroom.bootstrap.teamId);
      assert.equal(row.installation_id, w.icfg);
      assert.equal(row.resource_id, w.store.externalResourceId);
      assert.equal(row.used_at, null);
      assert.ok(Number(row.expires_at) >= before + 5 * 60_000 && Number(row.expires_at) <= w.server.clock.now() + 5 * 60_000);

      const sdk = new Vercel({ serverURL: w.server.url });
      const exchange = () => sdk.marketplace.exchangeSsoToken({ code: opened.code, state: opened.state, clientId: w.clientId, clientSecret: w.clientSecret, grantType: 'authorization_code' });
      const answer = await exchange();
      assert.ok('idToken' in answer);
      assert.equal(answer.accessToken, null);
      assert.equal(answer.tokenType, null);

      const jwks = createRemoteJWKSet(new URL(`${w.server.url}/.well-known/jwks`));
      const { payload, protectedHeader } = await jwtVerify(answer.idToken, jwks, { issuer: w.server.url, audience: w.clientId, currentDate: new Date(w.server.clock.now()) });
      assert.equal(protectedHeader.alg, 'RS256');
      assert.match(payload.sub ?? '', /^account:[0-9a-f]+:user:[0-9a-f]+$/);
      assert.equal(payload.type, 'id_token');
      assert.equal(payload.account_id, w.server.stockroom.bootstrap.teamId);
      assert.equal(payload.installation_id, w.icfg);
      assert.equal(payload.user_id, w.server.stockroom.bootstrap.userId);
      assert.equal(payload.user_role, 'ADMIN');
      assert.equal(typeof payload.user_email, 'string');
      assert.equal(payload.resource_id, w.store.externalResourceId);
      assert.equal(payload.project_id, project.id);
      assert.equal(payload.invoice_id, invoiceId);
      assert.equal((payload.exp ?? 0) - (payload.iat ?? 0), 300);
      assert.ok(Number((await codeRow(w.server, opened.code))?.used_at) > 0, 'the code is used up');

      // A replay is refused.
      const replay = await statusOf(exchange());
      assert.equal(replay.status, 400);
      assert.equal(replay.body.error.param, 'code');
      assert.equal(replay.body.error.code, 'bad_request');
      assert.match(replay.body.error.message, /invalid, expired or already used/);
    });

    test('a wrong client secret is 403 and leaves the code usable; another integration, another state, an expired code or another grant is 400', async (t) => {
      const w = await world(t, dialect);
      const sdk = new Vercel({ serverURL: w.server.url });
      const opened = await openInProvider(w.server, w.store.id);
      const exchange = (overrides: Record<string, string>) =>
        sdk.marketplace.exchangeSsoToken({ code: opened.code, state: opened.state, clientId: w.clientId, clientSecret: w.clientSecret, grantType: 'authorization_code', ...overrides } as never);

      const wrongSecret = await statusOf(exchange({ clientSecret: `${w.clientSecret}x` }));
      assert.equal(wrongSecret.status, 403);
      assert.equal(wrongSecret.body.error.code, 'forbidden');
      assert.equal(typeof wrongSecret.body.error.message, 'string');
      const unknownClient = await statusOf(exchange({ clientId: 'oac_unknown' }));
      assert.equal(unknownClient.status, 403);
      assert.equal(unknownClient.body.error.code, 'forbidden');
      const otherIntegration = await statusOf(exchange({ clientId: 'oac_stockroomOther', clientSecret: OTHER_SECRET }));
      assert.equal(otherIntegration.status, 400);
      assert.equal(otherIntegration.body.error.code, 'bad_request');
      assert.equal(otherIntegration.body.error.param, 'code');
      const otherState = await statusOf(exchange({ state: 'not-the-state' }));
      assert.equal(otherState.status, 400);
      assert.equal(otherState.body.error.param, 'state');
      assert.equal((await codeRow(w.server, opened.code))?.used_at, null, 'none of these used the code');

      // The partner may send the request form-encoded (grant_type is documented for that), also under /api.
      const form = await fetch(`${w.server.url}/api/v1/integrations/sso/token`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ code: opened.code, state: opened.state, client_id: w.clientId, client_secret: w.clientSecret, grant_type: 'authorization_code' }).toString(),
      });
      assert.equal(form.status, 200);
      assert.equal(form.headers.get('cache-control'), 'no-store');
      const formBody = await form.json();
      assert.deepEqual(Object.keys(formBody).sort(), ['access_token', 'id_token', 'token_type']);
      assert.ok(Number((await codeRow(w.server, opened.code))?.used_at) > 0, 'the form exchange used the code');

      // Expired after 5 minutes.
      const late = await openInProvider(w.server, w.store.id);
      w.server.clock.advance(5 * 60_000 + 1);
      const expired = await statusOf(sdk.marketplace.exchangeSsoToken({ code: late.code, state: late.state, clientId: w.clientId, clientSecret: w.clientSecret, grantType: 'authorization_code' }));
      assert.equal(expired.status, 400);
      assert.equal(expired.body.error.code, 'bad_request');
      assert.equal(expired.body.error.param, 'code');
      assert.equal((await codeRow(w.server, late.code))?.used_at, null, 'an expired code is not marked used');

      // Refresh tokens are not issued, so that grant is refused.
      const refresh = await statusOf(sdk.marketplace.exchangeSsoToken({ refreshToken: 'x', clientId: w.clientId, clientSecret: w.clientSecret, grantType: 'refresh_token' }));
      assert.equal(refresh.status, 400);
      assert.equal(refresh.body.error.code, 'bad_request');
      assert.equal(refresh.body.error.param, 'grant_type', 'the grant type is what is refused, not a missing code');
      // Without a code and without a grant type, the code is what is missing.
      const noCode = await w.server.request('POST', '/v1/integrations/sso/token', { token: null, body: { client_id: w.clientId, client_secret: w.clientSecret } });
      assert.equal(noCode.status, 400, noCode.text);
      assert.equal(noCode.body.error.param, 'code');
      // With a code, the grant type itself is what is refused, and the code is not used up.
      const kept = await openInProvider(w.server, w.store.id);
      const wrongGrant = await w.server.request('POST', '/v1/integrations/sso/token', {
        token: null,
        body: { code: kept.code, state: kept.state, client_id: w.clientId, client_secret: w.clientSecret, grant_type: 'refresh_token' },
      });
      assert.equal(wrongGrant.status, 400, wrongGrant.text);
      assert.equal(wrongGrant.body.error.code, 'bad_request');
      assert.equal(wrongGrant.body.error.param, 'grant_type');
      assert.equal((await codeRow(w.server, kept.code))?.used_at, null);
    });

    test('a viewer may open it too, and is USER in the id_token', async (t) => {
      const w = await world(t, dialect);
      const viewer = await createMember(w.server, w.server.stockroom.bootstrap.teamId, 'VIEWER');
      const res = await w.server.request('POST', `/stockroom/v1/stores/${w.store.id}/sso?teamId=${w.server.stockroom.bootstrap.teamId}`, { token: viewer.token, body: {} });
      assert.equal(res.status, 200, res.text);
      const code = new URL(res.body.url).searchParams.get('code')!;
      const answer = await new Vercel({ serverURL: w.server.url }).marketplace.exchangeSsoToken({ code, clientId: w.clientId, clientSecret: w.clientSecret, grantType: 'authorization_code' });
      const jwks = createRemoteJWKSet(new URL(`${w.server.url}/.well-known/jwks.json`));
      const { payload } = await jwtVerify(answer.idToken, jwks, { issuer: w.server.url, audience: w.clientId, currentDate: new Date(w.server.clock.now()) });
      assert.equal(payload.user_id, viewer.id);
      assert.equal(payload.user_role, 'USER');
      assert.equal(payload.project_id, undefined);
    });

    test('only the store’s team may open it; an unknown project is 404', async (t) => {
      const w = await world(t, dialect);
      assert.equal((await w.server.request('POST', '/stockroom/v1/stores/store_nope/sso', { body: {} })).status, 404);
      const team = await createTeam(w.server);
      const elsewhere = await w.server.request('POST', `/stockroom/v1/stores/${w.store.id}/sso?teamId=${team.id}`, { body: {} });
      assert.equal(elsewhere.status, 404, elsewhere.text);
      assert.equal(elsewhere.body.error.code, 'not_found');
      const anonymous = await w.server.request('POST', `/stockroom/v1/stores/${w.store.id}/sso`, { token: null, body: {} });
      assert.equal(anonymous.status, 401);
      assert.equal(anonymous.body.error.code, 'unauthorized');
      const project = await w.server.request('POST', `/stockroom/v1/stores/${w.store.id}/sso`, { body: { projectId: 'prj_nope' } });
      assert.equal(project.status, 404);
      assert.equal(project.body.error.code, 'not_found');
      assert.equal(project.body.error.param, 'projectId');
      // An invoice of no installation of this store's is not passed on to the partner.
      const invoice = await w.server.request('POST', `/stockroom/v1/stores/${w.store.id}/sso`, { body: { invoiceId: 'inv_someoneElses' } });
      assert.equal(invoice.status, 404);
      assert.equal(invoice.body.error.param, 'invoiceId');
      const rows = await w.server.stockroom.ctx.db.selectFrom('sso_codes').select('code_hash').execute();
      assert.equal(rows.length, 0);
    });

    test('an integration without a redirect login URL offers no SSO', async (t) => {
      // The default catalog gives the reference integration one (its SSO page): take it away.
      const dir = mkdtempSync(join(tmpdir(), 'stockroom-no-sso-'));
      t.after(() => rmSync(dir, { recursive: true, force: true }));
      const catalog = JSON.parse(readFileSync(DEFAULT_CATALOG, 'utf8'));
      delete catalog.integrations[0].redirectLoginUrl;
      writeFileSync(join(dir, 'catalog.json'), JSON.stringify(catalog));
      const server = await startTestServer(t, dialect, { env: { STOCKROOM_CATALOG: join(dir, 'catalog.json') } });
      const icfg = await bootstrapInstallationId(server);
      const store = await createStore(server, icfg, 'no-sso-db');
      assert.deepEqual((await server.request('GET', `/stockroom/v1/stores/${store.id}/sso`)).body, { available: false });
      const res = await server.request('POST', `/stockroom/v1/stores/${store.id}/sso`, { body: {} });
      assert.equal(res.status, 404);
      assert.equal(res.body.error.code, 'not_found');
      assert.match(res.body.error.message, /redirect login URL/);
      assert.deepEqual(await server.stockroom.ctx.db.selectFrom('sso_codes').select('code_hash').execute(), [], 'no code issued');
    });
  });
}
