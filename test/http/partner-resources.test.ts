import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { createMember } from '../helpers/accounts.js';
import { dialectsToTest } from '../helpers/databases.js';
import { installForPartner, partnerSdk, sdkStatus, type PartnerInstallation } from '../helpers/partner-sdk.js';
import { useSharedServer } from '../helpers/shared-server.js';
import { createProject } from '../helpers/stores.js';

/**
 * The resource endpoints partners call (docs/partner-calls.md), with `@vercel/sdk`'s
 * `marketplace.*` and the installation's token: Import Resource makes a store of the team that
 * every store route shows, Get/List Resources read it in the partner's terms, Update Resource
 * changes it, Delete Resource records it deleted without calling the partner back.
 */

for (const dialect of dialectsToTest()) {
  describe(`partner resource endpoints (${dialect})`, () => {
    const server = useSharedServer(dialect);
    const db = () => server().stockroom.ctx.db;

    function storeRowOf(icfg: string, resourceId: string) {
      return db().selectFrom('stores').selectAll().where('installation_id', '=', icfg).where('external_resource_id', '=', resourceId).executeTakeFirstOrThrow();
    }
    function secretsOf(row: { id: string; secrets_sealed: string | null }) {
      assert.ok(row.secrets_sealed);
      return JSON.parse(server().stockroom.ctx.secretBox.open(row.secrets_sealed, `stores.secrets_sealed:${row.id}`));
    }
    async function importOne(p: PartnerInstallation, resourceId: string, name: string, extra: Record<string, unknown> = {}) {
      return p.sdk.marketplace.importResource({
        integrationConfigurationId: p.icfg,
        resourceId,
        requestBody: { productId: 'acme-db', name, status: 'ready', secrets: [{ name: 'DATABASE_URL', value: `postgres://${resourceId}` }], ...extra },
      });
    }

    /** `p`'s token, superseded by a rotation and then revoked: `p.sdk`, which holds it, no longer works. */
    async function revokedToken(p: PartnerInstallation): Promise<string> {
      const rotated = await p.sdk.marketplace.rotateInstallationCredential({ integrationConfigurationId: p.icfg, requestBody: { clientSecret: p.clientSecret } });
      const next = partnerSdk(server(), rotated.accessToken);
      await next.marketplace.revokeInstallationCredential({ integrationConfigurationId: p.icfg, requestBody: { token: p.token, clientSecret: p.clientSecret } });
      return p.token;
    }

    test('Import Resource makes a store of the team, shown, connected and pulled like any other; nothing is charged', async () => {
      const p = await installForPartner(server());
      const notification = { level: 'warn' as const, title: 'Almost full', message: '90% of the quota used', href: 'https://partner.example/db/1' };
      const plan = { id: 'partner-pro', type: 'subscription' as const, name: 'Pro', cost: '$20.00', paymentMethodRequired: true };
      const answer = await p.sdk.marketplace.importResource({
        integrationConfigurationId: p.icfg,
        resourceId: 'ext-db-1',
        requestBody: {
          productId: 'acme-db',
          name: 'imported-db',
          status: 'ready',
          ownership: 'linked',
          metadata: { region: 'iad1' },
          billingPlan: plan,
          notification,
          extras: { cluster: 'c-7', replicas: 2 },
          secrets: [{ name: 'DATABASE_URL', value: 'postgres://imported', environmentOverrides: { development: 'postgres://dev' } }],
        },
      });
      assert.deepEqual(answer, { name: 'imported-db' });

      const row = await storeRowOf(p.icfg, 'ext-db-1');
      const { team_id, lifecycle, source, status, external_resource_status, product_id, ownership, billing_plan_id, payment } = row;
      assert.deepEqual(
        { team_id, lifecycle, source, status, external_resource_status, product_id, ownership, billing_plan_id, payment },
        { team_id: p.teamId, lifecycle: 'live', source: 'import', status: 'available', external_resource_status: 'ready', product_id: 'iap_acme_db', ownership: 'linked', billing_plan_id: 'partner-pro', payment: null },
      );
      assert.deepEqual(JSON.parse(row.extras!), { cluster: 'c-7', replicas: 2 });
      assert.deepEqual(JSON.parse(row.notification!), notification);
      assert.deepEqual(secretsOf(row), [{ name: 'DATABASE_URL', value: 'postgres://imported', environmentOverrides: { development: 'postgres://dev' } }]);
      assert.deepEqual(await db().selectFrom('ledger_entries').select('id').where('store_id', '=', row.id).execute(), [], 'nothing charged');

      // The team's store routes show it, with the partner's notification and ownership.
      const read = await server().request('GET', `/v1/storage/stores/${row.id}?teamId=${p.teamId}`);
      assert.equal(read.status, 200, read.text);
      assert.equal(read.body.store.name, 'imported-db');
      assert.equal(read.body.store.status, 'available');
      assert.equal(read.body.store.externalResourceId, 'ext-db-1');
      assert.equal(read.body.store.ownership, 'linked');
      assert.deepEqual(read.body.store.notification, notification);
      assert.deepEqual(read.body.store.secrets, [{ name: 'DATABASE_URL', length: 'postgres://imported'.length }]);
      assert.equal(read.body.store.billingPlan.id, 'partner-pro');
      const list = await server().request('GET', `/v1/storage/stores?teamId=${p.teamId}`);
      assert.ok(list.body.stores.some((s: { id: string }) => s.id === row.id), 'listed');
      const project = await createProject(server(), 'imported-app', { teamId: p.teamId });
      const connected = await server().request('POST', `/v1/storage/stores/${row.id}/connections?teamId=${p.teamId}`, { body: { projectId: project.id } });
      assert.equal(connected.status, 200, connected.text);
      assert.deepEqual((await server().request('GET', `/v3/env/pull/${project.id}/production?teamId=${p.teamId}`)).body, { env: { DATABASE_URL: 'postgres://imported' } });
      assert.deepEqual((await server().request('GET', `/v3/env/pull/${project.id}/development?teamId=${p.teamId}`)).body, { env: { DATABASE_URL: 'postgres://dev' } });

      // The partner reads it back in its own terms.
      const one = await p.sdk.marketplace.getIntegrationResource({ integrationConfigurationId: p.icfg, resourceId: 'ext-db-1' });
      assert.deepEqual(one, { id: 'ext-db-1', internalId: row.id, name: 'imported-db', productId: 'acme-db', status: 'ready', billingPlanId: 'partner-pro', metadata: { region: 'iad1' }, notification });
      const all = await p.sdk.marketplace.getIntegrationResources({ integrationConfigurationId: p.icfg });
      assert.deepEqual(all.resources, [{ partnerId: 'ext-db-1', internalId: row.id, name: 'imported-db', productId: 'acme-db', status: 'ready', billingPlanId: 'partner-pro', metadata: { region: 'iad1' }, notification }]);
    });

    test('Import Resource again updates the store; unknown product 404, name clash 409, another product 422', async () => {
      const p = await installForPartner(server());
      await importOne(p, 'ext-a', 'db-a');
      await importOne(p, 'ext-b', 'db-b');
      const before = await storeRowOf(p.icfg, 'ext-a');

      // Same resource: the same store, updated (secrets replaced, status mapped).
      assert.deepEqual(
        await p.sdk.marketplace.importResource({ integrationConfigurationId: p.icfg, resourceId: 'ext-a', requestBody: { productId: 'iap_acme_db', name: 'db-a2', status: 'suspended', secrets: [{ name: 'OTHER', value: 'v' }] } }),
        { name: 'db-a2' },
      );
      const after = await storeRowOf(p.icfg, 'ext-a');
      assert.equal(after.id, before.id);
      assert.equal(after.name, 'db-a2');
      assert.equal(after.status, 'suspended');
      assert.deepEqual(secretsOf(after), [{ name: 'OTHER', value: 'v' }]);

      assert.equal(await sdkStatus(p.sdk.marketplace.importResource({ integrationConfigurationId: p.icfg, resourceId: 'ext-c', requestBody: { productId: 'no-such-product', name: 'db-c', status: 'ready' } })), 404);
      assert.equal(await sdkStatus(p.sdk.marketplace.importResource({ integrationConfigurationId: p.icfg, resourceId: 'ext-c', requestBody: { productId: 'acme-db', name: 'db-b', status: 'ready' } })), 409);
      assert.equal(await sdkStatus(p.sdk.marketplace.importResource({ integrationConfigurationId: p.icfg, resourceId: 'ext-a', requestBody: { productId: 'acme-kv', name: 'db-a2', status: 'ready' } })), 422);
      const kept = await storeRowOf(p.icfg, 'ext-a');
      assert.deepEqual([kept.id, kept.product_id, kept.name, kept.status], [before.id, before.product_id, 'db-a2', 'suspended'], 'the refused import left the store as it was');
      assert.equal((await storeRowOf(p.icfg, 'ext-b')).name, 'db-b', 'the name clash renamed nothing');
      assert.equal(await db().selectFrom('stores').select('id').where('installation_id', '=', p.icfg).where('external_resource_id', '=', 'ext-c').executeTakeFirst(), undefined, 'nothing imported');
      // A nested metadata value cannot be shown as Vercel's metadata: 400.
      const nested = await server().request('PUT', `/v1/installations/${p.icfg}/resources/ext-d`, { token: p.token, body: { productId: 'acme-db', name: 'db-d', status: 'ready', metadata: { deep: { x: 1 } } } });
      assert.equal(nested.status, 400, nested.text);
      assert.equal(nested.body.error.code, 'bad_request');
      assert.equal(typeof nested.body.error.message, 'string');
      assert.equal(await db().selectFrom('stores').select('id').where('installation_id', '=', p.icfg).where('external_resource_id', '=', 'ext-d').executeTakeFirst(), undefined, 'nothing imported');

      // Without a plan, the installation's (Update Installation) is recorded; else one saying the partner bills.
      await importOne(p, 'ext-e', 'db-e');
      assert.equal(JSON.parse((await storeRowOf(p.icfg, 'ext-e')).billing_plan).id, 'imported');
      await p.sdk.marketplace.updateInstallation({ integrationConfigurationId: p.icfg, requestBody: { billingPlan: { id: 'inst-plan', type: 'subscription', name: 'Installation plan' } } });
      await importOne(p, 'ext-f', 'db-f');
      assert.equal((await storeRowOf(p.icfg, 'ext-f')).billing_plan_id, 'inst-plan');
    });

    test('an import while the installation is being uninstalled keeps nothing (409)', async () => {
      const p = await installForPartner(server());
      // As once an uninstall began (beginUninstall): no store of the installation goes live any more.
      await db().updateTable('installations').set({ status: 'uninstalling' }).where('id', '=', p.icfg).execute();
      const late = await server().request('PUT', `/v1/installations/${p.icfg}/resources/ext-late`, { token: p.token, body: { productId: 'acme-db', name: 'db-late', status: 'ready' } });
      assert.equal(late.status, 409, late.text);
      assert.equal(late.body.error.code, 'conflict');
      assert.equal(await sdkStatus(importOne(p, 'ext-late', 'db-late')), 409);
      assert.equal(await db().selectFrom('stores').select('id').where('installation_id', '=', p.icfg).executeTakeFirst(), undefined);
    });

    test('Update Resource changes what it is given and answers the name', async () => {
      const p = await installForPartner(server());
      await importOne(p, 'ext-u', 'db-u');
      await importOne(p, 'ext-v', 'db-v');
      const answer = await p.sdk.marketplace.updateResource({
        integrationConfigurationId: p.icfg,
        resourceId: 'ext-u',
        requestBody: { name: 'db-u2', status: 'pending', ownership: 'sandbox', notification: { level: 'error', title: 'Down' }, metadata: { region: 'fra1' }, extras: { k: 'v' }, secrets: { secrets: [{ name: 'EXTRA', value: 'e' }], partial: true } },
      });
      assert.deepEqual(answer, { name: 'db-u2' });
      let row = await storeRowOf(p.icfg, 'ext-u');
      assert.equal(row.name, 'db-u2');
      assert.equal(row.status, 'initializing');
      assert.equal(row.external_resource_status, 'pending');
      assert.equal(row.ownership, 'sandbox');
      assert.deepEqual(JSON.parse(row.notification!), { level: 'error', title: 'Down' });
      assert.deepEqual(JSON.parse(row.metadata), { region: 'fra1' });
      assert.deepEqual(JSON.parse(row.extras!), { k: 'v' });
      assert.deepEqual(secretsOf(row), [{ name: 'DATABASE_URL', value: 'postgres://ext-u' }, { name: 'EXTRA', value: 'e' }]);

      // A plain list of secrets replaces them; a string notification is an info; only what is given changes.
      assert.deepEqual(await p.sdk.marketplace.updateResource({ integrationConfigurationId: p.icfg, resourceId: 'ext-u', requestBody: { secrets: [{ name: 'ONLY', value: '1' }], notification: 'Back up' } }), { name: 'db-u2' });
      row = await storeRowOf(p.icfg, 'ext-u');
      assert.deepEqual(secretsOf(row), [{ name: 'ONLY', value: '1' }]);
      assert.deepEqual(JSON.parse(row.notification!), { level: 'info', title: 'Back up' });
      assert.equal(row.ownership, 'sandbox');
      const shown = await server().request('GET', `/v1/storage/stores/${row.id}?teamId=${p.teamId}`);
      assert.deepEqual(shown.body.store.notification, { level: 'info', title: 'Back up' });

      // Raw HTTP: null clears the notification.
      const cleared = await server().request('PATCH', `/api/v1/installations/${p.icfg}/resources/ext-u`, { token: p.token, body: { notification: null } });
      assert.equal(cleared.status, 200, cleared.text);
      assert.equal((await storeRowOf(p.icfg, 'ext-u')).notification, null);

      assert.equal(await sdkStatus(p.sdk.marketplace.updateResource({ integrationConfigurationId: p.icfg, resourceId: 'ext-u', requestBody: { name: 'db-v' } })), 409);
      assert.equal(await sdkStatus(p.sdk.marketplace.updateResource({ integrationConfigurationId: p.icfg, resourceId: 'nope', requestBody: { name: 'x' } })), 404);
      assert.equal((await storeRowOf(p.icfg, 'ext-u')).name, 'db-u2');
    });

    test('Delete Resource records the store deleted and disconnects it, without calling the partner', async () => {
      const p = await installForPartner(server());
      // A store made through Stockroom, so the reference partner has the resource.
      const created = await server().request('POST', `/v1/storage/stores/integration/direct?teamId=${p.teamId}`, {
        body: { name: 'made-here', integrationConfigurationId: p.icfg, integrationProductIdOrSlug: 'acme-db', metadata: { region: 'iad1' } },
      });
      assert.equal(created.status, 200, created.text);
      const store = created.body.store as { id: string; externalResourceId: string };
      const project = await createProject(server(), 'deleted-app', { teamId: p.teamId });
      const connected = await server().request('POST', `/v1/storage/stores/${store.id}/connections?teamId=${p.teamId}`, { body: { projectId: project.id } });
      assert.equal(connected.status, 200, connected.text);

      await p.sdk.marketplace.deleteIntegrationResource({ integrationConfigurationId: p.icfg, resourceId: store.externalResourceId });
      const row = await db().selectFrom('stores').selectAll().where('id', '=', store.id).executeTakeFirstOrThrow();
      assert.equal(row.lifecycle, 'deleted');
      assert.equal(row.status, 'uninstalled');
      assert.equal(row.secrets_sealed, null);
      assert.ok(row.deleted_at);
      assert.deepEqual(await db().selectFrom('store_connections').select('id').where('store_id', '=', store.id).execute(), []);
      assert.deepEqual((await server().request('GET', `/v3/env/pull/${project.id}/production?teamId=${p.teamId}`)).body, { env: {} });
      assert.equal((await server().request('GET', `/v1/storage/stores/${store.id}?teamId=${p.teamId}`)).status, 404);
      // The partner asked: its resource is untouched.
      const atPartner = await (db() as any).selectFrom('ref_partner_resources').select('deleted_at').where('id', '=', store.externalResourceId).executeTakeFirstOrThrow();
      assert.equal(atPartner.deleted_at, null);

      assert.equal(await sdkStatus(p.sdk.marketplace.getIntegrationResource({ integrationConfigurationId: p.icfg, resourceId: store.externalResourceId })), 404);
      assert.equal(await sdkStatus(p.sdk.marketplace.deleteIntegrationResource({ integrationConfigurationId: p.icfg, resourceId: store.externalResourceId })), 404);
      assert.deepEqual((await p.sdk.marketplace.getIntegrationResources({ integrationConfigurationId: p.icfg })).resources, []);
    });

    test('another installation’s token is 403, a user or revoked token 401, on each resource endpoint', async () => {
      const p = await installForPartner(server());
      await importOne(p, 'ext-x', 'db-x');
      const other = await installForPartner(server());
      const member = await createMember(server(), p.teamId, 'OWNER');
      const revoked = await revokedToken(p);
      for (const [sdk, status] of [
        [other.sdk, 403],
        [partnerSdk(server(), member.token), 401],
        [partnerSdk(server(), revoked), 401],
      ] as const) {
        const icfg = p.icfg;
        assert.equal(await sdkStatus(sdk.marketplace.getIntegrationResources({ integrationConfigurationId: icfg })), status);
        assert.equal(await sdkStatus(sdk.marketplace.getIntegrationResource({ integrationConfigurationId: icfg, resourceId: 'ext-x' })), status);
        assert.equal(await sdkStatus(sdk.marketplace.importResource({ integrationConfigurationId: icfg, resourceId: 'ext-y', requestBody: { productId: 'acme-db', name: 'db-y', status: 'ready' } })), status);
        assert.equal(await sdkStatus(sdk.marketplace.updateResource({ integrationConfigurationId: icfg, resourceId: 'ext-x', requestBody: { name: 'stolen' } })), status);
        assert.equal(await sdkStatus(sdk.marketplace.deleteIntegrationResource({ integrationConfigurationId: icfg, resourceId: 'ext-x' })), status);
      }
      const row = await storeRowOf(p.icfg, 'ext-x');
      assert.equal(row.name, 'db-x');
      assert.equal(row.lifecycle, 'live');
      assert.equal(await db().selectFrom('stores').select('id').where('external_resource_id', '=', 'ext-y').executeTakeFirst(), undefined);
    });
  });
}
