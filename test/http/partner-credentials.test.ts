import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { hashToken } from '../../src/crypto/secret-box.js';
import { dialectsToTest } from '../helpers/databases.js';
import { installForPartner, partnerSdk, sdkStatus } from '../helpers/partner-sdk.js';
import { startTestServer, type TestServer } from '../helpers/stockroom.js';

/**
 * Rotate and Revoke Installation Credential (docs/partner-calls.md), driven with
 * `@vercel/sdk`'s `marketplace.rotateInstallationCredential` / `revokeInstallationCredential`:
 * the client secret is required, the previous token stays valid for the overlap and then is
 * refused, a revoked one at once, and the current one cannot be revoked.
 */

const HOUR = 60 * 60 * 1000;

function tokenRows(server: TestServer, icfg: string) {
  return server.stockroom.ctx.db.selectFrom('installation_tokens').selectAll().where('installation_id', '=', icfg).execute();
}

async function currentHash(server: TestServer, icfg: string): Promise<string> {
  return (await server.stockroom.ctx.db.selectFrom('installations').select('access_token_hash').where('id', '=', icfg).executeTakeFirstOrThrow()).access_token_hash;
}

for (const dialect of dialectsToTest()) {
  describe(`partner credentials (${dialect})`, () => {
    test('rotate answers a new token; the old one works for 24 h, then is refused', async (t) => {
      const server = await startTestServer(t, dialect);
      const p = await installForPartner(server);
      const rotatedAt = server.clock.now();
      const rotated = await p.sdk.marketplace.rotateInstallationCredential({ integrationConfigurationId: p.icfg, requestBody: { clientSecret: p.clientSecret } });
      assert.equal(rotated.tokenType, 'oauth2-token');
      assert.equal(rotated.expiresIn, 0);
      assert.equal(rotated.scope, 'read-write:integration-resource read:team');
      assert.match(rotated.accessToken, /^srk_[A-Za-z0-9]{40}$/);
      assert.notEqual(rotated.accessToken, p.token);

      // Stored hashed: the new token is current, the old one superseded with its overlap.
      assert.equal(await currentHash(server, p.icfg), hashToken(rotated.accessToken));
      const rows = await tokenRows(server, p.icfg);
      assert.equal(rows.length, 1);
      assert.equal(rows[0]!.token_hash, hashToken(p.token));
      assert.equal(rows[0]!.revoked_at, null);
      assert.ok(Number(rows[0]!.expires_at) >= rotatedAt + 24 * HOUR && Number(rows[0]!.expires_at) <= server.clock.now() + 24 * HOUR);

      const next = partnerSdk(server, rotated.accessToken);
      assert.match((await next.marketplace.getAccountInfo({ integrationConfigurationId: p.icfg })).url, /^http/);
      // Inside the overlap both work.
      server.clock.advance(23 * HOUR);
      await p.sdk.marketplace.getAccountInfo({ integrationConfigurationId: p.icfg });
      await next.marketplace.getAccountInfo({ integrationConfigurationId: p.icfg });
      // Past it, the old one is refused and the new one is not.
      server.clock.advance(HOUR + 1000);
      assert.equal(await sdkStatus(p.sdk.marketplace.getAccountInfo({ integrationConfigurationId: p.icfg })), 401);
      await next.marketplace.getAccountInfo({ integrationConfigurationId: p.icfg });
      // An expired token cannot rotate either.
      assert.equal(await sdkStatus(p.sdk.marketplace.rotateInstallationCredential({ integrationConfigurationId: p.icfg, requestBody: { clientSecret: p.clientSecret } })), 401);
    });

    test('the overlap is configurable', async (t) => {
      const server = await startTestServer(t, dialect, { env: { STOCKROOM_INSTALLATION_TOKEN_OVERLAP_MS: '60000' } });
      const p = await installForPartner(server);
      await p.sdk.marketplace.rotateInstallationCredential({ integrationConfigurationId: p.icfg, requestBody: { clientSecret: p.clientSecret } });
      server.clock.advance(59_000);
      await p.sdk.marketplace.getAccountInfo({ integrationConfigurationId: p.icfg });
      server.clock.advance(2_000);
      assert.equal(await sdkStatus(p.sdk.marketplace.getAccountInfo({ integrationConfigurationId: p.icfg })), 401);
    });

    test('rotate needs the client secret (and the client id, when given, must match)', async (t) => {
      const server = await startTestServer(t, dialect);
      const p = await installForPartner(server);
      const before = await currentHash(server, p.icfg);
      assert.equal(await sdkStatus(p.sdk.marketplace.rotateInstallationCredential({ integrationConfigurationId: p.icfg, requestBody: { clientSecret: `${p.clientSecret}x` } })), 403);
      assert.equal(await sdkStatus(p.sdk.marketplace.rotateInstallationCredential({ integrationConfigurationId: p.icfg, requestBody: { clientSecret: p.clientSecret, clientId: 'oac_someoneElse' } })), 403);
      const wrong = await server.request('POST', `/v1/installations/${p.icfg}/credentials/rotate`, { token: p.token, body: { client_secret: 'not-the-secret' } });
      assert.equal(wrong.status, 403, wrong.text);
      assert.equal(wrong.body.error.code, 'forbidden');
      assert.equal(typeof wrong.body.error.message, 'string');
      const missing = await server.request('POST', `/v1/installations/${p.icfg}/credentials/rotate`, { token: p.token, body: {} });
      assert.equal(missing.status, 400, missing.text);
      assert.equal(missing.body.error.code, 'bad_request');
      assert.equal(await currentHash(server, p.icfg), before, 'nothing rotated');
      assert.deepEqual(await tokenRows(server, p.icfg), []);
      // With the right client id, and under /api, it works.
      const clientId = server.stockroom.ctx.catalog.findIntegration('acme')!.clientId;
      const ok = await server.request('POST', `/api/v1/installations/${p.icfg}/credentials/rotate`, { token: p.token, body: { client_secret: p.clientSecret, client_id: clientId } });
      assert.equal(ok.status, 200, ok.text);
      assert.deepEqual(Object.keys(ok.body).sort(), ['access_token', 'expires_in', 'scope', 'token_type']);
      assert.equal(await currentHash(server, p.icfg), hashToken(ok.body.access_token), 'the answered token is the current one');
      assert.deepEqual((await tokenRows(server, p.icfg)).map((r) => r.token_hash), [hashToken(p.token)]);
    });

    test('an installation still being installed is not rotated (its install would write the old token back)', async (t) => {
      const server = await startTestServer(t, dialect);
      const p = await installForPartner(server);
      // As while Stockroom waits on the partner's Upsert Installation answer.
      await server.stockroom.ctx.db.updateTable('installations').set({ status: 'pending' }).where('id', '=', p.icfg).execute();
      const before = await currentHash(server, p.icfg);
      assert.equal(await sdkStatus(p.sdk.marketplace.rotateInstallationCredential({ integrationConfigurationId: p.icfg, requestBody: { clientSecret: p.clientSecret } })), 409);
      assert.equal(await currentHash(server, p.icfg), before);
      assert.deepEqual(await tokenRows(server, p.icfg), []);
    });

    test('rotations at once: each answers a token or 409, and only the last one answered is current', async (t) => {
      const server = await startTestServer(t, dialect);
      const p = await installForPartner(server);
      const answers = await Promise.all(
        Array.from({ length: 6 }, () => server.request('POST', `/v1/installations/${p.icfg}/credentials/rotate`, { token: p.token, body: { client_secret: p.clientSecret } })),
      );
      for (const a of answers) assert.ok(a.status === 200 || a.status === 409, `${a.status} ${a.text}`);
      const issued = answers.filter((a) => a.status === 200).map((a) => a.body.access_token as string);
      assert.ok(issued.length >= 1, 'one rotation at least won');
      // Exactly one issued token is current; every other one, and the first token, is superseded once.
      const current = await currentHash(server, p.icfg);
      assert.equal(issued.filter((token) => hashToken(token) === current).length, 1);
      const superseded = (await tokenRows(server, p.icfg)).map((r) => r.token_hash).sort();
      assert.deepEqual(superseded, [p.token, ...issued].map(hashToken).filter((h) => h !== current).sort());
      // Every token answered works (the current one, and the superseded ones inside the overlap).
      for (const token of issued) await partnerSdk(server, token).marketplace.getAccountInfo({ integrationConfigurationId: p.icfg });
    });

    test('revoke retires the superseded token at once; the current one cannot be revoked', async (t) => {
      const server = await startTestServer(t, dialect);
      const p = await installForPartner(server);
      const rotated = await p.sdk.marketplace.rotateInstallationCredential({ integrationConfigurationId: p.icfg, requestBody: { clientSecret: p.clientSecret } });
      const next = partnerSdk(server, rotated.accessToken);

      // The current token is the last that does not expire: 409, and it still works.
      assert.equal(await sdkStatus(next.marketplace.revokeInstallationCredential({ integrationConfigurationId: p.icfg, requestBody: { token: rotated.accessToken, clientSecret: p.clientSecret } })), 409);
      // Without the client secret: 403.
      assert.equal(await sdkStatus(next.marketplace.revokeInstallationCredential({ integrationConfigurationId: p.icfg, requestBody: { token: p.token, clientSecret: 'nope' } })), 403);
      await p.sdk.marketplace.getAccountInfo({ integrationConfigurationId: p.icfg });
      // Neither refusal changed a stored token.
      assert.equal(await currentHash(server, p.icfg), hashToken(rotated.accessToken));
      assert.deepEqual((await tokenRows(server, p.icfg)).map((r) => [r.token_hash, r.revoked_at]), [[hashToken(p.token), null]]);

      const revoked = await next.marketplace.revokeInstallationCredential({ integrationConfigurationId: p.icfg, requestBody: { token: p.token, clientSecret: p.clientSecret } });
      assert.deepEqual(revoked, { revoked: true, alreadyRevoked: false });
      const [row] = await tokenRows(server, p.icfg);
      assert.ok(row?.revoked_at, 'the revocation is stored');
      assert.equal(await sdkStatus(p.sdk.marketplace.getAccountInfo({ integrationConfigurationId: p.icfg })), 401);
      await next.marketplace.getAccountInfo({ integrationConfigurationId: p.icfg });

      // Again: already revoked. A token the installation never had: 404.
      assert.deepEqual(await next.marketplace.revokeInstallationCredential({ integrationConfigurationId: p.icfg, requestBody: { token: p.token, clientSecret: p.clientSecret } }), { revoked: true, alreadyRevoked: true });
      assert.equal(await sdkStatus(next.marketplace.revokeInstallationCredential({ integrationConfigurationId: p.icfg, requestBody: { token: 'srk_neverIssued', clientSecret: p.clientSecret } })), 404);
    });

    test('another installation’s token is 403, a user token 401, and an uninstall ends every token', async (t) => {
      const server = await startTestServer(t, dialect);
      const p = await installForPartner(server);
      const other = await installForPartner(server);
      assert.equal(await sdkStatus(other.sdk.marketplace.rotateInstallationCredential({ integrationConfigurationId: p.icfg, requestBody: { clientSecret: p.clientSecret } })), 403);
      assert.equal(await sdkStatus(partnerSdk(server, server.token).marketplace.rotateInstallationCredential({ integrationConfigurationId: p.icfg, requestBody: { clientSecret: p.clientSecret } })), 401);
      assert.equal(await sdkStatus(other.sdk.marketplace.revokeInstallationCredential({ integrationConfigurationId: p.icfg, requestBody: { token: p.token, clientSecret: p.clientSecret } })), 403);
      const foreign = await server.request('POST', `/v1/installations/${p.icfg}/credentials/rotate`, { token: other.token, body: { client_secret: p.clientSecret } });
      assert.equal(foreign.status, 403, foreign.text);
      assert.equal(foreign.body.error.code, 'forbidden');
      // None of the refused calls rotated anything, for either installation.
      assert.equal(await currentHash(server, p.icfg), hashToken(p.token));
      assert.deepEqual(await tokenRows(server, p.icfg), []);
      assert.equal(await currentHash(server, other.icfg), hashToken(other.token));

      const rotated = await p.sdk.marketplace.rotateInstallationCredential({ integrationConfigurationId: p.icfg, requestBody: { clientSecret: p.clientSecret } });
      const uninstalled = await server.request('DELETE', `/v1/integrations/configuration/${p.icfg}?teamId=${p.teamId}`);
      assert.equal(uninstalled.status, 204, uninstalled.text);
      assert.equal(await sdkStatus(p.sdk.marketplace.getAccountInfo({ integrationConfigurationId: p.icfg })), 401, 'the superseded token');
      assert.equal(await sdkStatus(partnerSdk(server, rotated.accessToken).marketplace.getAccountInfo({ integrationConfigurationId: p.icfg })), 401, 'the current token');
      assert.equal(await sdkStatus(partnerSdk(server, rotated.accessToken).marketplace.rotateInstallationCredential({ integrationConfigurationId: p.icfg, requestBody: { clientSecret: p.clientSecret } })), 401);
    });
  });
}
