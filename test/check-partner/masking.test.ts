import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import { maskSecrets } from '../../src/check-partner/masking.js';
import { credentialValues, leakPaths } from '../../src/check-partner/secret-leaks.js';

describe('masking a report', () => {
  test('tokens, access tokens, secret values and their echoes are masked; names and the rest are kept', () => {
    const report = {
      request: { headers: { authorization: 'Bearer eyJhbGciOi.abc.def', 'idempotency-key': 'k1' }, body: { credentials: { access_token: 'srcheck_at_abcdef', token_type: 'Bearer' } } },
      response: { body: { id: 'res_1', secrets: [{ name: 'DATABASE_URL', value: 'postgres://u:pw1234567@h/db', environmentOverrides: { preview: 'postgres://u:preview99@h/db' } }] } },
      message: 'the partner said postgres://u:pw1234567@h/db in an error',
    };
    const out = maskSecrets(report, ['postgres://u:pw1234567@h/db']);
    assert.equal(out.request.headers.authorization, 'Bearer ****(18 chars)');
    assert.equal(out.request.headers['idempotency-key'], 'k1');
    assert.equal(out.request.body.credentials.access_token, '****(17 chars)');
    assert.equal(out.request.body.credentials.token_type, 'Bearer');
    assert.deepEqual(out.response.body.secrets, [{ name: 'DATABASE_URL', value: '****(27 chars)', environmentOverrides: { preview: '****(27 chars)' } }]);
    assert.equal(out.message, 'the partner said ****(27 chars) in an error');
    assert.equal(out.response.body.id, 'res_1');
  });

  test('no registered secret survives anywhere in the text of a masked value', () => {
    fc.assert(
      fc.property(fc.array(fc.string({ minLength: 6, maxLength: 20 }), { minLength: 1, maxLength: 4 }), fc.string(), (secrets, filler) => {
        const value = { a: `${filler}${secrets.join(filler)}${filler}`, b: [{ nested: secrets[0] }], secrets: [{ name: 'X', value: secrets[0] }] };
        const text = JSON.stringify(maskSecrets(value, secrets));
        // A secret may only reappear if it is itself part of the mask's own wording.
        for (const secret of secrets) if (!'****( chars)0123456789'.includes(secret)) assert.ok(!text.includes(JSON.stringify(secret).slice(1, -1)), `${secret} survived in ${text}`);
      }),
    );
  });
});

describe('secret leaks', () => {
  test('credentials are the values of credential-named secrets, long enough to search for', () => {
    assert.deepEqual(credentialValues([{ name: 'PGHOST', value: 'db.example.com' }, { name: 'PGPASSWORD', value: 'hunter2hunter2' }, { name: 'API_TOKEN', value: 'short' }]), ['hunter2hunter2']);
  });

  test('leak paths name where a credential appears', () => {
    assert.deepEqual(leakPaths({ name: 'a', metadata: { dsn: 'x hunter2hunter2 y' }, notification: { title: 'ok' } }, ['hunter2hunter2']), ['metadata.dsn']);
    assert.deepEqual(leakPaths({ list: ['hunter2hunter2'] }, ['hunter2hunter2']), ['list[0]']);
    assert.deepEqual(leakPaths({ name: 'a' }, []), []);
  });
});
