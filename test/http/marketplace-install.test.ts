import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { createMember, createTeam } from '../helpers/accounts.js';
import { dialectsToTest } from '../helpers/databases.js';
import { startTestServer, type TestServer } from '../helpers/stockroom.js';
import { bootstrapInstallationId } from '../helpers/stores.js';

/**
 * The marketplace install flow of `vercel integration add` over HTTP: the integration read,
 * auto-provision on the create-store core, its 422 "finish in the browser" answers, and the
 * unversioned team read the CLI uses, and the CLI's uninstall. test/cli/ drives the same routes with the real CLI.
 */

const AUTO = '/v1/integrations/integration/acme/marketplace/auto-provision/acme-db';

function storeRow(server: TestServer, name: string) {
  return server.stockroom.ctx.db.selectFrom('stores').selectAll().where('name', '=', name).executeTakeFirst();
}

for (const dialect of dialectsToTest()) {
  describe(`marketplace install flow (${dialect})`, () => {
    test('GET /v2/integrations/integration/{slug} answers the catalog entry with its products and schemas', async (t) => {
      const server = await startTestServer(t, dialect);
      const res = await server.request('GET', '/v2/integrations/integration/acme');
      assert.equal(res.status, 200, res.text);
      assert.equal(res.body.id, 'oac_stockroomReference');
      assert.equal(res.body.slug, 'acme');
      assert.equal(res.body.isMarketplace, true);
      assert.deepEqual(res.body.products.map((p: { slug: string }) => p.slug), ['acme-db', 'acme-kv']);
      const db = res.body.products[0];
      assert.equal(db.id, 'iap_acme_db');
      assert.deepEqual(db.protocols, { storage: { status: 'enabled' } });
      assert.deepEqual(db.metadataSchema.required, ['region']);
      assert.equal(typeof res.body.capabilities, 'object');
      assert.equal((await server.request('GET', '/v2/integrations/integration/oac_stockroomReference')).body.slug, 'acme', 'by id too');
      assert.equal((await server.request('GET', '/v2/integrations/integration/nope')).status, 404);
      assert.equal((await server.request('GET', '/v2/integrations/integration/acme', { token: null })).status, 401);
    });

    test('GET /teams/{id} answers like /v2/teams/{id}, and 403 for a team of someone else', async (t) => {
      const server = await startTestServer(t, dialect);
      const team = await createTeam(server);
      const [plain, versioned] = await Promise.all([server.request('GET', `/teams/${team.id}`), server.request('GET', `/v2/teams/${team.id}`)]);
      assert.equal(plain.status, 200, plain.text);
      assert.deepEqual(plain.body, versioned.body);
      const stranger = await createMember(server, (await createTeam(server)).id, 'OWNER');
      assert.equal((await server.request('GET', `/teams/${team.id}`, { token: stranger.token })).status, 403);
    });

    test('auto-provision creates the store in the team\'s installation with the first free plan, answering kind "provisioned"', async (t) => {
      const server = await startTestServer(t, dialect);
      const icfg = await bootstrapInstallationId(server);
      const res = await server.request('POST', AUTO, { body: { name: 'auto-db', metadata: { region: 'lhr1' }, acceptedPolicies: {}, source: 'cli' } });
      assert.equal(res.status, 200, res.text);
      const row = await storeRow(server, 'auto-db');
      assert.ok(row);
      assert.deepEqual(res.body, {
        kind: 'provisioned',
        integration: { id: 'oac_stockroomReference', slug: 'acme', name: 'Acme Data (reference partner)' },
        product: { id: 'iap_acme_db', slug: 'acme-db', name: 'Acme DB' },
        installation: { id: icfg },
        resource: { id: row.id, externalResourceId: row.external_resource_id, name: 'auto-db', status: 'available', secretKeys: ['ACME_DB_URL', 'ACME_DB_TOKEN'] },
        billingPlan: res.body.billingPlan,
      });
      assert.equal(res.body.billingPlan.id, 'free');
      assert.equal(row.source, 'cli');
      assert.equal(row.installation_id, icfg);
      assert.deepEqual(JSON.parse(row.metadata), { region: 'lhr1', storageGb: 1 });
    });

    test('auto-provision refuses what the create core refuses, and passes a provider\'s 400 through', async (t) => {
      const server = await startTestServer(t, dialect);
      await bootstrapInstallationId(server);
      // The bootstrap team starts with a default card; without it, a paid plan has nothing to pay with.
      const starterCard = (await server.request('GET', '/stockroom/v1/payment-methods')).body.defaultPaymentMethodId;
      assert.equal((await server.request('DELETE', `/stockroom/v1/payment-methods/${starterCard}`)).status, 200);
      const unpaid = await server.request('POST', AUTO, { body: { name: 'auto-pro', metadata: { region: 'iad1' }, billingPlanId: 'pro' } });
      assert.equal(unpaid.status, 400, unpaid.text);
      assert.equal(unpaid.body.error.code, 'payment_method_required');
      const invalid = await server.request('POST', AUTO, { body: { name: 'auto-big', metadata: { region: 'iad1', storageGb: 5000 } } });
      assert.equal(invalid.body.error.code, 'invalid_metadata');
      assert.deepEqual(invalid.body.error.fields.map((f: { key: string }) => f.key), ['storageGb']);
      const provider = await server.request('POST', AUTO, { body: { name: 'fail-validation', metadata: { region: 'iad1' } } });
      assert.equal(provider.status, 400, provider.text);
      for (const name of ['auto-pro', 'auto-big', 'fail-validation']) assert.equal(await storeRow(server, name), undefined, name);
    });

    test('a missing required metadata value answers 422 with a console URL, in Vercel\'s fields and in error', async (t) => {
      const server = await startTestServer(t, dialect);
      await bootstrapInstallationId(server);
      const teamId = (await server.request('GET', '/v2/user')).body.user.defaultTeamId;
      const res = await server.request('POST', AUTO, { body: { name: 'auto-form', metadata: {}, acceptedPolicies: {} } });
      assert.equal(res.status, 422, res.text);
      const url = new URL(res.body.url);
      assert.equal(url.origin, new URL(server.url).origin);
      assert.equal(url.pathname, '/');
      assert.deepEqual(Object.fromEntries(url.searchParams), { integration: 'acme', product: 'acme-db', teamId });
      const fields = {
        kind: 'unknown',
        reason: 'metadata_required',
        error_message: 'Missing required metadata: region.',
        url: res.body.url,
        integration: { id: 'oac_stockroomReference', slug: 'acme', name: 'Acme Data (reference partner)' },
        product: { id: 'iap_acme_db', slug: 'acme-db', name: 'Acme DB' },
      };
      assert.deepEqual(res.body, { ...fields, error: { code: 'action_required', message: fields.error_message, ...fields } });
      assert.equal(await storeRow(server, 'auto-form'), undefined);
    });

    test('a team without the integration: 422 until the terms are accepted, then installed at the provider and provisioned', async (t) => {
      const server = await startTestServer(t, dialect);
      const team = await createTeam(server);
      const path = `${AUTO}?teamId=${team.id}`;
      const body = { name: 'first-db', metadata: { region: 'iad1' } };
      const refused = await server.request('POST', path, { body: { ...body, acceptedPolicies: {} } });
      assert.equal(refused.status, 422, refused.text);
      assert.equal(refused.body.reason, 'integration_terms_acceptance_required');
      assert.deepEqual(await server.stockroom.ctx.db.selectFrom('installations').select('id').where('team_id', '=', team.id).execute(), []);

      const res = await server.request('POST', path, { body: { ...body, acceptedPolicies: { toc: new Date().toISOString() } } });
      assert.equal(res.status, 200, res.text);
      const installation = await server.stockroom.ctx.db.selectFrom('installations').selectAll().where('team_id', '=', team.id).executeTakeFirstOrThrow();
      assert.equal(res.body.installation.id, installation.id);
      assert.equal(installation.status, 'ready');
      const atProvider = await (server.stockroom.ctx.db as any).selectFrom('ref_partner_installations').select('id').where('id', '=', installation.id).executeTakeFirst();
      assert.ok(atProvider, 'the provider received Upsert Installation');
      assert.equal((await storeRow(server, 'first-db'))?.installation_id, installation.id);
    });

    test('uninstall (vercel integration remove) answers 403 naming resources while stores live, then removes the installation', async (t) => {
      const server = await startTestServer(t, dialect);
      const icfg = await bootstrapInstallationId(server);
      const path = `/v2/integrations/installations/${icfg}/uninstall`;
      assert.equal((await server.request('POST', '/v2/integrations/installations/icfg_nope/uninstall', { body: {} })).status, 404);
      const created = await server.request('POST', AUTO, { body: { name: 'keep', metadata: { region: 'iad1' } } });
      const refused = await server.request('POST', path, { body: {} });
      assert.equal(refused.status, 403, refused.text);
      assert.match(refused.body.error.message, /resources/, 'the CLI keys on the word');
      assert.equal((await server.request('DELETE', `/v1/storage/stores/integration/${created.body.resource.id}`)).status, 200);
      const removed = await server.request('POST', path, { body: {} });
      assert.equal(removed.status, 200, removed.text);
      const row = await server.stockroom.ctx.db.selectFrom('installations').select('deleted_at').where('id', '=', icfg).executeTakeFirstOrThrow();
      assert.equal(typeof row.deleted_at, 'number');
      assert.deepEqual((await server.request('GET', '/v1/integrations/configurations?view=account')).body, []);
    });

    test('installationId must be one of the team\'s; installationMetadata is refused; VIEWER may not provision', async (t) => {
      const server = await startTestServer(t, dialect);
      const icfg = await bootstrapInstallationId(server);
      const unknown = await server.request('POST', AUTO, { body: { name: 'x', metadata: { region: 'iad1' }, installationId: 'icfg_nope' } });
      assert.equal(unknown.status, 404, unknown.text);
      assert.equal(unknown.body.error.param, 'installationId');
      const chosen = await server.request('POST', AUTO, { body: { name: 'chosen', metadata: { region: 'iad1' }, installationId: icfg } });
      assert.equal(chosen.status, 200, chosen.text);
      const extra = await server.request('POST', AUTO, { body: { name: 'y', metadata: { region: 'iad1' }, installationMetadata: { plan: 'x' } } });
      assert.equal(extra.status, 400, extra.text);
      assert.equal(extra.body.error.param, 'installationMetadata');
      const teamId = (await server.request('GET', '/v2/user')).body.user.defaultTeamId;
      const viewer = await createMember(server, teamId, 'VIEWER');
      const denied = await server.request('POST', `${AUTO}?teamId=${teamId}`, { token: viewer.token, body: { name: 'z', metadata: { region: 'iad1' } } });
      assert.equal(denied.status, 403, denied.text);
      for (const name of ['x', 'y', 'z']) assert.equal(await storeRow(server, name), undefined, name);
    });
  });
}
