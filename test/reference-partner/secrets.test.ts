import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { dialectsToTest, usePartner, type PartnerHarness } from './harness.js';
import { resourceRow } from './stored-resources.js';

for (const dialect of dialectsToTest()) {
  describe(`reference partner secrets rotation (${dialect})`, () => {
    let p: PartnerHarness;
    usePartner(dialect, (started) => (p = started));

    test('answers 200 {sync:true, secrets, partial:false} with new values under the same names', async () => {
      const id = await p.install();
      const created = await p.provision(id);
      const answer = await p.request('POST', `/v1/installations/${id}/resources/${created.body.id}/secrets/rotate`, { body: { reason: 'leaked' } });
      assert.equal(answer.status, 200);
      assert.equal(answer.body.sync, true);
      assert.equal(answer.body.partial, false);
      assert.deepEqual(answer.body.secrets.map((s: { name: string }) => s.name), ['ACME_DB_URL', 'ACME_DB_TOKEN']);
      for (const [i, secret] of answer.body.secrets.entries()) assert.notEqual(secret.value, created.body.secrets[i].value);
      assert.deepEqual(p.openSecrets(await resourceRow(p.db, created.body.id)), answer.body.secrets);
    });

    test('records until when the old values stay valid', async () => {
      const id = await p.install();
      const created = await p.provision(id);
      await p.request('POST', `/v1/installations/${id}/resources/${created.body.id}/secrets/rotate`, { body: { delayOldSecretsExpirationHours: 1.5 } });
      assert.equal(Number((await resourceRow(p.db, created.body.id)).previous_secrets_expire_at), p.clock.now + 5_400_000);
    });

    test('accepts a call without a body', async () => {
      const id = await p.install();
      const created = await p.provision(id);
      const answer = await p.request('POST', `/v1/installations/${id}/resources/${created.body.id}/secrets/rotate`);
      assert.equal(answer.status, 200);
      assert.equal(answer.body.sync, true);
    });

    test('refuses a delay above 720 hours with 400 naming it', async () => {
      const id = await p.install();
      const created = await p.provision(id);
      const answer = await p.request('POST', `/v1/installations/${id}/resources/${created.body.id}/secrets/rotate`, { body: { delayOldSecretsExpirationHours: 721 } });
      assert.equal(answer.status, 400);
      assert.deepEqual(answer.body.error.fields.map((f: { key: string }) => f.key), ['delayOldSecretsExpirationHours']);
      assert.deepEqual(p.openSecrets(await resourceRow(p.db, created.body.id)), created.body.secrets);
    });

    test('answers 404 for an unknown resource', async () => {
      const id = await p.install();
      const answer = await p.request('POST', `/v1/installations/${id}/resources/res_unknown/secrets/rotate`, { body: {} });
      assert.equal(answer.status, 404);
      assert.equal(answer.body.error.code, 'not_found');
    });

    test('a retried rotation with the same Idempotency-Key makes no second set of values', async () => {
      const id = await p.install();
      const created = await p.provision(id);
      const path = `/v1/installations/${id}/resources/${created.body.id}/secrets/rotate`;
      const first = await p.request('POST', path, { body: {}, headers: { 'idempotency-key': 'rotate-1' } });
      const second = await p.request('POST', path, { body: {}, headers: { 'idempotency-key': 'rotate-1' } });
      assert.deepEqual(second.body, first.body);
      assert.equal(second.headers.get('idempotent-replayed'), 'true');
      assert.deepEqual(p.openSecrets(await resourceRow(p.db, created.body.id)), first.body.secrets);
    });
  });
}
