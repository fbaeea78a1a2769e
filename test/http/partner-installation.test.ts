import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { createMember } from '../helpers/accounts.js';
import { dialectsToTest } from '../helpers/databases.js';
import { useSharedServer } from '../helpers/shared-server.js';
import { installForPartner, partnerSdk, sdkStatus } from '../helpers/partner-sdk.js';
import { replaceInstallationToken } from '../helpers/reference-partner-db.js';

/**
 * Update Installation, Get Account Information and Get Member Information, as a partner calls
 * them with `@vercel/sdk` and the installation's token (docs/partner-calls.md).
 */

for (const dialect of dialectsToTest()) {
  describe(`partner installation endpoints (${dialect})`, () => {
    const server = useSharedServer(dialect);

    function installationRow(icfg: string) {
      return server().stockroom.ctx.db.selectFrom('installations').selectAll().where('id', '=', icfg).executeTakeFirstOrThrow();
    }

    test('Update Installation records status, externalId, plan and notification; null clears the notification', async () => {
      const p = await installForPartner(server());
      const plan = { id: 'team-pro', type: 'subscription' as const, name: 'Team Pro', cost: '$20.00/month', paymentMethodRequired: true, details: [{ label: 'Seats', value: '10' }] };
      await p.sdk.marketplace.updateInstallation({
        integrationConfigurationId: p.icfg,
        requestBody: { status: 'ready', externalId: 'acct_42', billingPlan: { ...plan, additionalProperties: { tier: 'gold' } }, notification: { level: 'warn', title: 'Card expiring', message: 'Update it soon', href: 'https://partner.example/billing' } },
      });
      let row = await installationRow(p.icfg);
      assert.equal(row.partner_status, 'ready');
      assert.equal(row.status, 'ready', 'Stockroom’s own lifecycle is untouched');
      assert.equal(row.external_id, 'acct_42');
      assert.deepEqual(JSON.parse(row.billing_plan!), { ...plan, tier: 'gold', description: '', scope: 'resource' });
      assert.deepEqual(JSON.parse(row.notification!), { level: 'warn', title: 'Card expiring', message: 'Update it soon', href: 'https://partner.example/billing' });

      // A string notification is an info with that title; absent fields stay as they were.
      await p.sdk.marketplace.updateInstallation({ integrationConfigurationId: p.icfg, requestBody: { notification: 'All good' } });
      row = await installationRow(p.icfg);
      assert.deepEqual(JSON.parse(row.notification!), { level: 'info', title: 'All good' });
      assert.equal(row.external_id, 'acct_42');

      // Raw HTTP under /api: null clears; a bad status is 400 with nothing changed.
      const cleared = await server().request('PATCH', `/api/v1/installations/${p.icfg}`, { token: p.token, body: { notification: null } });
      assert.equal(cleared.status, 204, cleared.text);
      assert.equal(cleared.text, '');
      assert.equal((await installationRow(p.icfg)).notification, null);
      const bad = await server().request('PATCH', `/v1/installations/${p.icfg}`, { token: p.token, body: { status: 'available' } });
      assert.equal(bad.status, 400, bad.text);
      assert.equal(bad.body.error.code, 'bad_request');
      assert.equal(typeof bad.body.error.message, 'string');
      const unchanged = await installationRow(p.icfg);
      assert.deepEqual([unchanged.partner_status, unchanged.external_id, unchanged.notification], ['ready', 'acct_42', null]);
    });

    test('Get Account Information: the team, its URL and the installing user', async () => {
      const p = await installForPartner(server());
      const account = await p.sdk.marketplace.getAccountInfo({ integrationConfigurationId: p.icfg });
      const team = await server().stockroom.ctx.db.selectFrom('teams').selectAll().where('id', '=', p.teamId).executeTakeFirstOrThrow();
      const owner = await server().stockroom.ctx.db.selectFrom('users').selectAll().where('id', '=', team.creator_id).executeTakeFirstOrThrow();
      assert.deepEqual(account, { name: team.name, url: `${server().stockroom.ctx.publicUrl()}/${team.slug}`, contact: { email: owner.email, ...(owner.name ? { name: owner.name } : {}) } });
    });

    test('Get Account Information falls back to an owner once the installing user left the team', async () => {
      const p = await installForPartner(server());
      const installer = await createMember(server(), p.teamId, 'OWNER');
      const installed = await server().request('POST', `/stockroom/v1/installations?teamId=${p.teamId}`, { token: installer.token, body: { integrationIdOrSlug: 'acme' } });
      assert.equal(installed.status, 200, installed.text);
      // The team already had the integration: the same installation, installed by the first owner.
      assert.equal(installed.body.id, p.icfg);
      const row = await installationRow(p.icfg);
      await server().stockroom.ctx.db.updateTable('installations').set({ user_id: installer.id }).where('id', '=', p.icfg).execute();
      const installerEmail = (await server().stockroom.ctx.db.selectFrom('users').select('email').where('id', '=', installer.id).executeTakeFirstOrThrow()).email;
      assert.equal((await p.sdk.marketplace.getAccountInfo({ integrationConfigurationId: p.icfg })).contact?.email, installerEmail);
      const removed = await server().request('DELETE', `/v1/teams/${p.teamId}/members/${installer.id}`);
      assert.equal(removed.status, 200, removed.text);
      const owner = await server().stockroom.ctx.db.selectFrom('users').select('email').where('id', '=', row.user_id).executeTakeFirstOrThrow();
      assert.equal((await p.sdk.marketplace.getAccountInfo({ integrationConfigurationId: p.icfg })).contact?.email, owner.email);
    });

    test('Get Member Information maps roles to ADMIN or USER; a non-member is 404', async () => {
      const p = await installForPartner(server());
      const member = await createMember(server(), p.teamId, 'MEMBER');
      const developer = await createMember(server(), p.teamId, 'DEVELOPER');
      const viewer = await createMember(server(), p.teamId, 'VIEWER');
      const billing = await createMember(server(), p.teamId, 'BILLING');
      const emailOf = async (id: string) => (await server().stockroom.ctx.db.selectFrom('users').select('email').where('id', '=', id).executeTakeFirstOrThrow()).email;
      assert.deepEqual(await p.sdk.marketplace.getMember({ integrationConfigurationId: p.icfg, memberId: member.id }), { id: member.id, role: 'ADMIN', userEmail: await emailOf(member.id) });
      // As in the user-auth tokens partners get: only the roles that may change stores are ADMIN.
      assert.equal((await p.sdk.marketplace.getMember({ integrationConfigurationId: p.icfg, memberId: developer.id })).role, 'USER');
      assert.deepEqual(await p.sdk.marketplace.getMember({ integrationConfigurationId: p.icfg, memberId: viewer.id }), { id: viewer.id, role: 'USER', userEmail: await emailOf(viewer.id) });
      assert.equal((await p.sdk.marketplace.getMember({ integrationConfigurationId: p.icfg, memberId: billing.id })).role, 'USER');
      // A member of another team, and an id nobody has.
      const other = await installForPartner(server());
      const outsider = await createMember(server(), other.teamId, 'MEMBER');
      assert.equal(await sdkStatus(p.sdk.marketplace.getMember({ integrationConfigurationId: p.icfg, memberId: outsider.id })), 404);
      assert.equal(await sdkStatus(p.sdk.marketplace.getMember({ integrationConfigurationId: p.icfg, memberId: 'user_nobody' })), 404);
      const raw = await server().request('GET', `/v1/installations/${p.icfg}/member/${outsider.id}`, { token: p.token });
      assert.equal(raw.status, 404, raw.text);
      assert.equal(raw.body.error.code, 'not_found');
    });

    test('another installation’s token is 403, a user or revoked token 401, on each', async () => {
      const p = await installForPartner(server());
      const other = await installForPartner(server());
      const member = await createMember(server(), p.teamId, 'MEMBER');
      for (const [sdk, status] of [
        [other.sdk, 403],
        [partnerSdk(server(), server().token), 401],
        [partnerSdk(server(), member.token), 401],
      ] as const) {
        assert.equal(await sdkStatus(sdk.marketplace.updateInstallation({ integrationConfigurationId: p.icfg, requestBody: { externalId: 'stolen' } })), status);
        assert.equal(await sdkStatus(sdk.marketplace.getAccountInfo({ integrationConfigurationId: p.icfg })), status);
        assert.equal(await sdkStatus(sdk.marketplace.getMember({ integrationConfigurationId: p.icfg, memberId: member.id })), status);
      }
      assert.equal((await installationRow(p.icfg)).external_id, null);
      // A token rotated away and revoked is refused on each.
      const rotated = await p.sdk.marketplace.rotateInstallationCredential({ integrationConfigurationId: p.icfg, requestBody: { clientSecret: p.clientSecret } });
      await partnerSdk(server(), rotated.accessToken).marketplace.revokeInstallationCredential({ integrationConfigurationId: p.icfg, requestBody: { token: p.token, clientSecret: p.clientSecret } });
      assert.equal(await sdkStatus(p.sdk.marketplace.updateInstallation({ integrationConfigurationId: p.icfg, requestBody: { externalId: 'late' } })), 401);
      assert.equal(await sdkStatus(p.sdk.marketplace.getAccountInfo({ integrationConfigurationId: p.icfg })), 401);
      assert.equal(await sdkStatus(p.sdk.marketplace.getMember({ integrationConfigurationId: p.icfg, memberId: member.id })), 401);
      // A token replaced outright (as a reinstall or a test does) is refused too.
      const current = await replaceInstallationToken(server(), p.icfg);
      assert.equal(await sdkStatus(partnerSdk(server(), rotated.accessToken).marketplace.getAccountInfo({ integrationConfigurationId: p.icfg })), 401);
      await partnerSdk(server(), current).marketplace.getAccountInfo({ integrationConfigurationId: p.icfg });
    });
  });
}
