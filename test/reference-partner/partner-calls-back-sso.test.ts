import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { hashToken } from '../../src/crypto/secret-box.js';
import { dialectsToTest } from '../helpers/databases.js';
import { useSharedServer } from '../helpers/shared-server.js';
import { bootstrapInstallationId, createStore } from '../helpers/stores.js';

/*
 * "Open in provider" end to end (issue 15, items 5 and 7): Stockroom hands out the reference
 * partner's redirect-login URL (catalog `redirectLoginUrl: "builtin:reference/sso"`) with a one-time
 * code; the partner's landing page exchanges it at Stockroom's `POST /v1/integrations/sso/token`
 * with its client id and secret, verifies the id_token against Stockroom's JWKS and says who signed in.
 */
for (const dialect of dialectsToTest()) {
  describe(`the reference partner's SSO landing page against Stockroom (${dialect})`, () => {
    const server = useSharedServer(dialect);

    test('the URL Stockroom hands out signs the user in at the partner, for the store; the code works once', async () => {
      const s = server();
      const icfg = await bootstrapInstallationId(s);
      const store = await createStore(s, icfg, `sso-${Date.now().toString(36)}`);
      const started = await s.request('POST', `/stockroom/v1/stores/${store.id}/sso`, { body: {} });
      assert.equal(started.status, 200, started.text);
      const url = new URL(started.body.url);
      assert.equal(url.pathname, '/partners/reference/sso');
      assert.equal(url.searchParams.get('resource_id'), store.externalResourceId);

      const page = await fetch(url);
      const html = await page.text();
      assert.equal(page.status, 200, html);
      const me = await s.request('GET', '/v2/user');
      const who = me.body.user.name ?? me.body.user.email;
      const name = (await s.request('GET', `/v1/storage/stores/${store.id}`)).body.store.name;
      assert.ok(html.includes(`Signed in to Acme as ${who} for ${name}`), html);
      // Stockroom recorded the code used, for this installation and store.
      const code = s.stockroom.ctx.db.selectFrom('sso_codes').selectAll().where('code_hash', '=', hashToken(url.searchParams.get('code')!));
      const row = await code.executeTakeFirstOrThrow();
      assert.ok(Number(row.used_at) > 0, 'the code is used up');
      assert.deepEqual([row.installation_id, row.resource_id], [icfg, store.externalResourceId]);

      // The code was spent: the same link signs nobody in.
      const again = await fetch(url);
      assert.equal(again.status, 401);
      assert.ok((await again.text()).includes('Sign-in failed'));
      assert.equal(Number((await code.executeTakeFirstOrThrow()).used_at), Number(row.used_at), 'the refused replay changed nothing');
    });
  });
}
