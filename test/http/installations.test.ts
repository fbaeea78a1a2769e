import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { Vercel } from '@vercel/sdk';
import { createLocalJWKSet, jwtVerify, SignJWT, generateKeyPair } from 'jose';
import { createMember, createTeam } from '../helpers/accounts.js';
import { dialectsToTest } from '../helpers/databases.js';
import { startTestServer, type TestServer } from '../helpers/stockroom.js';
import { assertParsedFromWire, lastJson, recordingHttpClient } from '../helpers/wire-compare.js';

async function bootstrapInstallation(server: TestServer): Promise<string> {
  const list = await server.request('GET', '/v1/integrations/configurations?view=account');
  assert.equal(list.status, 200, list.text);
  assert.equal(list.body.length, 1);
  return list.body[0].id as string;
}

for (const dialect of dialectsToTest()) {
  describe(`installations, products and plans (${dialect})`, () => {
    test('the bootstrap team has the reference integration installed, at Stockroom and at the partner', async (t) => {
      const server = await startTestServer(t, dialect);
      const list = await server.request('GET', '/v1/integrations/configurations?view=account');
      assert.equal(list.status, 200, list.text);
      assert.ok(Array.isArray(list.body), 'a top-level array');
      const [config] = list.body;
      assert.match(config.id, /^icfg_[A-Za-z0-9]+$/);
      assert.equal(config.slug, 'acme');
      assert.equal(config.type, 'integration-configuration');
      assert.equal(config.status, 'ready');
      assert.equal(config.integration.isLegacy, false);
      const row = await server.stockroom.ctx.db.selectFrom('installations').selectAll().where('id', '=', config.id).executeTakeFirstOrThrow();
      assert.equal(row.status, 'ready');
      const partnerRow = await (server.stockroom.ctx.db as any).selectFrom('ref_partner_installations').selectAll().where('id', '=', config.id).executeTakeFirst();
      assert.ok(partnerRow, 'the partner received the upsert');
      // A restart does not install it again.
      const again = await server.request('GET', '/v2/integrations/configurations?view=account&installationType=marketplace&integrationIdOrSlug=acme');
      assert.deepEqual(again.body.map((c: any) => c.id), [config.id]);
    });

    test('installs an integration for a new team through the extension API, idempotently', async (t) => {
      const server = await startTestServer(t, dialect);
      const team = await createTeam(server);
      const first = await server.request('POST', `/stockroom/v1/installations?teamId=${team.id}`, { body: { integrationIdOrSlug: 'acme' } });
      assert.equal(first.status, 200, first.text);
      assert.equal(first.body.ownerId, team.id);
      const second = await server.request('POST', `/stockroom/v1/installations?teamId=${team.id}`, { body: { integrationIdOrSlug: 'acme' } });
      assert.equal(second.body.id, first.body.id);
      const rows = await server.stockroom.ctx.db.selectFrom('installations').select('id').where('team_id', '=', team.id).execute();
      assert.equal(rows.length, 1);
      const unknown = await server.request('POST', `/stockroom/v1/installations?teamId=${team.id}`, { body: { integrationIdOrSlug: 'nope' } });
      assert.equal(unknown.status, 404);
      const viewer = await createMember(server, team.id, 'VIEWER');
      const refused = await server.request('POST', `/stockroom/v1/installations?teamId=${team.id}`, { token: viewer.token, body: { integrationIdOrSlug: 'acme' } });
      assert.equal(refused.status, 403);
    });

    test('another team cannot see or delete an installation (404)', async (t) => {
      const server = await startTestServer(t, dialect);
      const icfg = await bootstrapInstallation(server);
      const other = await createTeam(server);
      assert.equal((await server.request('GET', `/v1/integrations/configuration/${icfg}?teamId=${other.id}`)).status, 404);
      assert.equal((await server.request('DELETE', `/v1/integrations/configuration/${icfg}?teamId=${other.id}`)).status, 404);
    });

    test('@vercel/sdk drives getConfigurations, getConfiguration, getConfigurationProducts, getBillingPlans and deleteConfiguration with every field on the wire', async (t) => {
      const server = await startTestServer(t, dialect);
      const icfg = await bootstrapInstallation(server);
      const { httpClient, bodies } = recordingHttpClient();
      const vercel = new Vercel({ serverURL: server.url, bearerToken: server.token, httpClient });

      const configurations = await vercel.integrations.getConfigurations({ view: 'account' });
      assertParsedFromWire(configurations, lastJson(bodies));
      assert.equal((configurations as any[])[0].id, icfg);

      const configuration = await vercel.integrations.getConfiguration({ id: icfg });
      assertParsedFromWire(configuration, lastJson(bodies));
      assert.equal((configuration as any).id, icfg);

      const products = await vercel.integrations.getConfigurationProducts({ id: icfg });
      assertParsedFromWire(products, lastJson(bodies));
      const db = products.products.find((p) => p.slug === 'acme-db');
      assert.ok(db, 'acme-db is offered');
      assert.ok(db.metadataSchema.required?.includes('region'));

      const { plans } = await vercel.integrations.getBillingPlans({ integrationIdOrSlug: 'acme', productIdOrSlug: 'acme-db', integrationConfigurationId: icfg });
      assertParsedFromWire({ plans }, lastJson(bodies));
      assert.deepEqual(plans.map((p) => [p.type, p.paymentMethodRequired]), [
        ['subscription', false],
        ['subscription', true],
        ['prepayment', true],
      ]);
      const paid = plans[1]!;
      assert.equal(typeof paid.preauthorizationAmount, 'number');
      assert.ok(paid.initialCharge);
      const prepaid = plans[2]!;
      assert.notEqual(prepaid.minimumAmount, prepaid.maximumAmount);

      await vercel.integrations.deleteConfiguration({ id: icfg });
      const row = await server.stockroom.ctx.db.selectFrom('installations').select('deleted_at').where('id', '=', icfg).executeTakeFirstOrThrow();
      assert.ok(row.deleted_at);
      assert.equal((await server.request('GET', `/v1/integrations/configuration/${icfg}`)).status, 404);
    });

    test('plans: by product id too, metadata must be JSON, unknown product or installation is 404', async (t) => {
      const server = await startTestServer(t, dialect);
      const icfg = await bootstrapInstallation(server);
      const products = await server.request('GET', `/v1/integrations/configuration/${icfg}/products`);
      const product = products.body.products.find((p: any) => p.slug === 'acme-db');
      const byId = await server.request('GET', `/v1/integrations/integration/${products.body.integration.id}/products/${product.id}/plans?metadata=${encodeURIComponent('{"region":"fra1"}')}`);
      assert.equal(byId.status, 200, byId.text);
      assert.equal(byId.body.plans.length, 3);
      const bad = await server.request('GET', '/v1/integrations/integration/acme/products/acme-db/plans?metadata=not-json');
      assert.equal(bad.status, 400);
      assert.equal(bad.body.error.param, 'metadata');
      assert.equal((await server.request('GET', '/v1/integrations/integration/acme/products/nope/plans')).status, 404);
      assert.equal((await server.request('GET', '/v1/integrations/integration/acme/products/acme-db/plans?integrationConfigurationId=icfg_unknown1')).status, 404);
    });

    test("providers receive RS256 JWTs that verify against Stockroom's JWKS; forged ones are refused", async (t) => {
      const server = await startTestServer(t, dialect);
      const jwks = await server.request('GET', '/.well-known/jwks.json', { token: null });
      assert.equal(jwks.status, 200);
      assert.equal(jwks.body.keys[0].alg, 'RS256');
      assert.ok(jwks.body.keys[0].kid);
      assert.ok(!('d' in jwks.body.keys[0]), 'no private part is published');
      const token = await server.stockroom.ctx.signer.signSystemToken({ audience: 'oac_stockroomReference', accountId: 'team_x', installationId: null });
      const { payload, protectedHeader } = await jwtVerify(token, createLocalJWKSet(jwks.body), { issuer: server.url, audience: 'oac_stockroomReference' });
      assert.equal(protectedHeader.kid, jwks.body.keys[0].kid);
      assert.equal(payload.account_id, 'team_x');
      assert.match(String(payload.sub), /^account:[0-9a-f]+$/);

      // The mounted reference partner checks tokens like any partner: a forged one is 403.
      const { privateKey } = await generateKeyPair('RS256');
      const forged = await new SignJWT({ account_id: 'team_x', installation_id: null, type: 'access_token' })
        .setProtectedHeader({ alg: 'RS256', kid: jwks.body.keys[0].kid })
        .setIssuer(server.url)
        .setAudience('oac_stockroomReference')
        .setSubject('account:abc')
        .setIssuedAt()
        .setExpirationTime('5m')
        .sign(privateKey);
      const refused = await server.request('GET', '/partners/reference/v1/products/acme-db/plans', { token: forged });
      assert.equal(refused.status, 403);
      const accepted = await server.request('GET', '/partners/reference/v1/products/acme-db/plans', { token });
      assert.equal(accepted.status, 200, accepted.text);
    });
  });
}
