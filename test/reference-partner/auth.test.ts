import assert from 'node:assert/strict';
import { after, describe, test } from 'node:test';
import { randomBytes } from 'node:crypto';
import Fastify from 'fastify';
import { createSecretBox } from '../../src/crypto/secret-box.js';
import { generateKeyPair, SignJWT } from 'jose';
import { dialectsToTest, installationBody, newInstallationId, openTestDatabase, PREFIX, usePartner, type PartnerHarness } from './harness.js';
import { migrateReferencePartner, referencePartnerPlugin } from '../../src/providers/reference-partner/index.js';

function assertForbidden(answer: { status: number; body: any }, messagePattern?: RegExp): void {
  assert.equal(answer.status, 403);
  assert.equal(answer.body.error.code, 'forbidden');
  assert.equal(typeof answer.body.error.message, 'string');
  if (messagePattern) assert.match(answer.body.error.message, messagePattern);
}

for (const dialect of dialectsToTest()) {
  describe(`reference partner token check (${dialect})`, () => {
    let p: PartnerHarness;
    usePartner(dialect, (started) => (p = started));

    test('accepts a user token signed by a key of the JWKS', async () => {
      const id = newInstallationId();
      const answer = await p.request('PUT', `/v1/installations/${id}`, { body: installationBody() });
      assert.equal(answer.status, 200);
      assert.deepEqual(answer.body, {});
    });

    test('refuses a request without Authorization with 403', async () => {
      assertForbidden(await p.request('GET', '/v1/products/acme-db/plans', { token: null }), /Bearer/);
    });

    test('refuses an Authorization header that is not a bearer token', async () => {
      assertForbidden(await p.request('GET', '/v1/products/acme-db/plans', { token: null, headers: { authorization: 'Basic dXNlcjpwYXNz' } }));
    });

    test('refuses a malformed token with 403, not 500', async () => {
      assertForbidden(await p.request('GET', '/v1/products/acme-db/plans', { token: 'not.a.jwt' }), /malformed/);
    });

    test('refuses a token forged with another key under the published kid', async () => {
      const { privateKey } = await generateKeyPair('RS256');
      const token = await p.systemToken(null, { privateKey });
      assertForbidden(await p.request('GET', '/v1/products/acme-db/plans', { token }), /signature/);
    });

    test('refuses a token signed with a key the JWKS does not have (unknown kid)', async () => {
      const { privateKey } = await generateKeyPair('RS256');
      const token = await p.systemToken(null, { privateKey, kid: 'someone-else' });
      assertForbidden(await p.request('GET', '/v1/products/acme-db/plans', { token }), /signature/);
    });

    test('refuses a token signed with HS256', async () => {
      const iat = Math.floor(p.clock.now / 1000);
      const token = await new SignJWT({ sub: 'account:ab', installation_id: null })
        .setProtectedHeader({ alg: 'HS256', kid: 'x' })
        .setIssuer(new URL(p.url).origin)
        .setAudience('oac_reference')
        .setIssuedAt(iat)
        .setExpirationTime(iat + 60)
        .sign(new TextEncoder().encode('a shared secret that must not work'));
      assertForbidden(await p.request('GET', '/v1/products/acme-db/plans', { token }));
    });

    test('refuses an expired token', async () => {
      const token = await p.systemToken(null, { expiresIn: -60 });
      assertForbidden(await p.request('GET', '/v1/products/acme-db/plans', { token }), /expired/);
    });

    test('refuses a token without exp', async () => {
      const token = await p.systemToken(null, { claims: { exp: undefined } });
      assertForbidden(await p.request('GET', '/v1/products/acme-db/plans', { token }), /exp/);
    });

    test('refuses a token for another integration (wrong aud)', async () => {
      const token = await p.systemToken(null, { claims: { aud: 'oac_someone_else' } });
      assertForbidden(await p.request('GET', '/v1/products/acme-db/plans', { token }), /aud/);
    });

    test('refuses a token from another issuer', async () => {
      const token = await p.systemToken(null, { claims: { iss: 'https://marketplace.vercel.com' } });
      assertForbidden(await p.request('GET', '/v1/products/acme-db/plans', { token }), /iss/);
    });

    test('refuses a token whose installation_id differs from the path', async () => {
      const id = await p.install();
      const token = await p.userToken(newInstallationId());
      assertForbidden(await p.request('GET', `/v1/installations/${id}`, { token }), /installation/);
      const systemWithoutInstallation = await p.systemToken(null);
      assertForbidden(await p.request('GET', `/v1/installations/${id}`, { token: systemWithoutInstallation }));
    });

    test('lets the read-only USER role read but not write', async () => {
      const id = await p.install();
      const created = await p.provision(id);
      assert.equal(created.status, 200);
      const token = await p.userToken(id, { claims: { user_role: 'USER' } });
      assert.equal((await p.request('GET', `/v1/installations/${id}/resources/${created.body.id}`, { token })).status, 200);
      assertForbidden(await p.request('DELETE', `/v1/installations/${id}/resources/${created.body.id}`, { token }), /USER/);
      assertForbidden(
        await p.request('POST', `/v1/installations/${id}/resources`, {
          token,
          body: { productId: 'acme-db', name: 'x', metadata: { region: 'iad1' }, billingPlanId: 'free' },
        }),
      );
      const count = await p.db.selectFrom('ref_partner_resources').select((eb) => eb.fn.countAll().as('n')).where('installation_id', '=', id).executeTakeFirstOrThrow();
      assert.equal(Number(count.n), 1);
    });

    test('accepts a system token, with no role, for reads and deletes', async () => {
      const id = await p.install();
      const created = await p.provision(id);
      const token = await p.systemToken(id);
      assert.equal((await p.request('GET', `/v1/installations/${id}/resources/${created.body.id}`, { token })).status, 200);
      assert.equal((await p.request('DELETE', `/v1/installations/${id}/resources/${created.body.id}`, { token })).status, 204);
    });

    test('accepts a system token whose sub and installation_id are null, as before an installation', async () => {
      const token = await p.systemToken(null, { claims: { sub: null, account_id: null } });
      const answer = await p.request('GET', '/v1/products/acme-db/plans', { token });
      assert.equal(answer.status, 200);
      assert.equal(answer.body.plans.length, 3);
    });

    test('answers an unknown route with 404 in the partner error shape, without a token', async () => {
      const answer = await p.request('GET', '/v1/nothing-here', { token: null });
      assert.equal(answer.status, 404);
      assert.equal(answer.body.error.code, 'not_found');
    });
  });

  describe(`reference partner with an unreachable JWKS (${dialect})`, () => {
    test('refuses tokens with 403 instead of failing with 500', async (t) => {
      const database = await openTestDatabase(dialect);
      t.after(() => database.destroy());
      await migrateReferencePartner(database.db);
      // A server that is closed again at once: its port refuses connections.
      const gone = Fastify();
      const goneUrl = await gone.listen({ port: 0, host: '127.0.0.1' });
      await gone.close();
      const app = Fastify({ logger: false });
      await app.register(referencePartnerPlugin, {
        prefix: PREFIX,
        db: database.db,
        dialect: database.dialect,
        secretBox: createSecretBox(randomBytes(32).toString('hex')),
        clientId: 'oac_reference',
        issuer: 'http://issuer.test',
        jwksUrl: `${goneUrl}/.well-known/jwks`,
      });
      const url = await app.listen({ port: 0, host: '127.0.0.1' });
      t.after(() => app.close());
      const { privateKey } = await generateKeyPair('RS256');
      const token = await new SignJWT({ sub: 'account:ab', installation_id: null })
        .setProtectedHeader({ alg: 'RS256', kid: 'k' })
        .setIssuer('http://issuer.test')
        .setAudience('oac_reference')
        .setIssuedAt()
        .setExpirationTime('5m')
        .sign(privateKey);
      const response = await fetch(`${url}${PREFIX}/v1/products/acme-db/plans`, { headers: { authorization: `Bearer ${token}` } });
      assert.equal(response.status, 403);
      assert.equal(((await response.json()) as any).error.code, 'forbidden');
    });
  });
}
