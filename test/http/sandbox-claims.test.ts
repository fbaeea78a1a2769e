import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { createMember } from '../helpers/accounts.js';
import { dialectsToTest } from '../helpers/databases.js';
import { installForPartner, type PartnerInstallation } from '../helpers/partner-sdk.js';
import { useSharedServer } from '../helpers/shared-server.js';

/**
 * `POST /v1/integrations/installations/{icfg}/resources/{id}/sandbox/claim-url` (what
 * `vercel integration resource claim` calls) and the end of a claim: the partner's claim page
 * makes the store the team's (Update Resource `ownership`), which closes the recorded claim.
 */
for (const dialect of dialectsToTest()) {
  describe(`sandbox claims (${dialect})`, () => {
    const server = useSharedServer(dialect);
    const db = () => server().stockroom.ctx.db;
    const claimUrlPath = (icfg: string, resourceId: string, teamId: string) => `/v1/integrations/installations/${icfg}/resources/${resourceId}/sandbox/claim-url?teamId=${teamId}`;

    async function importSandbox(p: PartnerInstallation, resourceId: string, name: string, ownership: 'sandbox' | 'owned' = 'sandbox') {
      await p.sdk.marketplace.importResource({
        integrationConfigurationId: p.icfg,
        resourceId,
        requestBody: { productId: 'acme-db', name, status: 'ready', ownership, secrets: [{ name: 'DATABASE_URL', value: `postgres://${resourceId}` }] },
      });
      return db().selectFrom('stores').select(['id', 'ownership']).where('installation_id', '=', p.icfg).where('external_resource_id', '=', resourceId).executeTakeFirstOrThrow();
    }
    const claimsOf = (storeId: string) => db().selectFrom('store_claims').selectAll().where('store_id', '=', storeId).execute();

    test('a sandbox store gets a claim URL at the partner’s claim page, recorded as an open claim; opening it makes the store owned', async () => {
      const p = await installForPartner(server());
      const store = await importSandbox(p, 'sbx-a', 'sandbox-a');
      assert.equal(store.ownership, 'sandbox');

      const res = await server().request('POST', claimUrlPath(p.icfg, store.id, p.teamId), { body: { source: 'cli' } });
      assert.equal(res.status, 200, res.text);
      assert.deepEqual(Object.keys(res.body), ['claimUrl']);
      const url = new URL(res.body.claimUrl);
      assert.equal(`${url.origin}${url.pathname}`, `${server().url}/partners/reference/claim`);
      assert.equal(url.searchParams.get('resource_id'), 'sbx-a');
      assert.match(url.searchParams.get('code') ?? '', /^[A-Za-z0-9]{43}$/);
      const [claim, ...more] = await claimsOf(store.id);
      assert.deepEqual(more, []);
      assert.ok(claim);
      assert.deepEqual(
        { team_id: claim.team_id, installation_id: claim.installation_id, source: claim.source, claimed_at: claim.claimed_at, claimed_ownership: claim.claimed_ownership },
        { team_id: p.teamId, installation_id: p.icfg, source: 'cli', claimed_at: null, claimed_ownership: null },
      );
      assert.ok(Number(claim.expires_at) > Number(claim.created_at));

      const landing = await fetch(res.body.claimUrl);
      assert.equal(landing.status, 200, await landing.text());
      const after = await db().selectFrom('stores').select('ownership').where('id', '=', store.id).executeTakeFirstOrThrow();
      assert.equal(after.ownership, 'owned');
      const [done] = await claimsOf(store.id);
      assert.equal(done?.claimed_ownership, 'owned');
      assert.ok(done?.claimed_at !== null);
      const read = await server().request('GET', `/v1/storage/stores/${store.id}?teamId=${p.teamId}`);
      assert.equal(read.body.store.ownership, 'owned', 'what the CLI polls');

      // Opening the same link again: the code is used up, nothing changes.
      const replay = await fetch(res.body.claimUrl);
      assert.equal(replay.status, 401);
    });

    test('the partner’s id names the store too, and an empty body means source "api"', async () => {
      const p = await installForPartner(server());
      const store = await importSandbox(p, 'sbx-b', 'sandbox-b');
      const res = await server().request('POST', claimUrlPath(p.icfg, 'sbx-b', p.teamId), { body: {} });
      assert.equal(res.status, 200, res.text);
      assert.equal((await claimsOf(store.id))[0]?.source, 'api');
    });

    test('a store that is not a sandbox is 400 naming "sandbox" (the CLI says it can no longer be claimed); nothing is recorded', async () => {
      const p = await installForPartner(server());
      const owned = await importSandbox(p, 'owned-1', 'owned-db', 'owned');
      const res = await server().request('POST', claimUrlPath(p.icfg, owned.id, p.teamId), { body: { source: 'cli' } });
      assert.equal(res.status, 400, res.text);
      assert.equal(res.body.error.code, 'bad_request');
      assert.match(res.body.error.message, /not a sandbox resource \(its ownership is owned\)/);
      assert.deepEqual(await claimsOf(owned.id), []);
    });

    test('an unknown installation is 404 naming the installation; an unknown resource is 404; a viewer is 403', async () => {
      const p = await installForPartner(server());
      const store = await importSandbox(p, 'sbx-c', 'sandbox-c');
      const noInstallation = await server().request('POST', claimUrlPath('icfg_unknown000000000000000000', store.id, p.teamId), { body: {} });
      assert.equal(noInstallation.status, 404, noInstallation.text);
      assert.match(noInstallation.body.error.message, /installation icfg_unknown/);
      const noResource = await server().request('POST', claimUrlPath(p.icfg, 'store_nope', p.teamId), { body: {} });
      assert.equal(noResource.status, 404, noResource.text);
      assert.equal(noResource.body.error.code, 'not_found');
      assert.match(noResource.body.error.message, /The resource store_nope was not found/);

      const viewer = await createMember(server(), p.teamId, 'VIEWER');
      const forbidden = await server().request('POST', claimUrlPath(p.icfg, store.id, p.teamId), { token: viewer.token, body: {} });
      assert.equal(forbidden.status, 403, forbidden.text);
      assert.deepEqual(await claimsOf(store.id), []);
    });

    test('a VIEWER cannot claim with the sign-in code "Open in provider" gives them: the claim page refuses a role other than ADMIN', async () => {
      const p = await installForPartner(server());
      const store = await importSandbox(p, 'sbx-viewer', 'sandbox-viewer');
      const viewer = await createMember(server(), p.teamId, 'VIEWER');
      // Opening the store at the provider is a read, so the viewer gets a code; a code of the same kind as a claim's.
      const sso = await server().request('POST', `/stockroom/v1/stores/${store.id}/sso?teamId=${p.teamId}`, { token: viewer.token, body: {} });
      assert.equal(sso.status, 200, sso.text);
      const url = new URL(sso.body.url);
      url.pathname = url.pathname.replace(/\/sso$/, '/claim');
      const landing = await fetch(url);
      assert.equal(landing.status, 403);
      assert.match(await landing.text(), /Claim refused/);
      const after = await db().selectFrom('stores').select('ownership').where('id', '=', store.id).executeTakeFirstOrThrow();
      assert.equal(after.ownership, 'sandbox');
    });
  });

  describe(`sandbox claims of an integration without a claim page (${dialect})`, () => {
    const server = useSharedServer(dialect, { env: { STOCKROOM_CATALOG: catalogWithoutClaimPage() } });

    test('400 naming the integration (the CLI says it does not support claiming); nothing recorded', async () => {
      const p = await installForPartner(server());
      await p.sdk.marketplace.importResource({ integrationConfigurationId: p.icfg, resourceId: 'sbx-x', requestBody: { productId: 'acme-db', name: 'sandbox-x', status: 'ready', ownership: 'sandbox' } });
      const store = await server().stockroom.ctx.db.selectFrom('stores').select('id').where('installation_id', '=', p.icfg).where('external_resource_id', '=', 'sbx-x').executeTakeFirstOrThrow();
      const res = await server().request('POST', `/v1/integrations/installations/${p.icfg}/resources/${store.id}/sandbox/claim-url?teamId=${p.teamId}`, { body: { source: 'cli' } });
      assert.equal(res.status, 400, res.text);
      assert.equal(res.body.error.message, 'The integration acme offers no claim page (no sandboxClaimUrl in the catalog).');
      assert.deepEqual(await server().stockroom.ctx.db.selectFrom('store_claims').select('id').where('store_id', '=', store.id).execute(), []);
    });
  });
}

/** The default catalog without the reference integration's `sandboxClaimUrl`, written to a temporary file. */
function catalogWithoutClaimPage(): string {
  const catalog = JSON.parse(readFileSync(new URL('../../catalog/default.json', import.meta.url), 'utf8'));
  delete catalog.integrations[0].sandboxClaimUrl;
  const path = join(mkdtempSync(join(tmpdir(), 'stockroom-claims-')), 'catalog.json');
  writeFileSync(path, JSON.stringify(catalog));
  return path;
}
