import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { loadReferencePartnerConfig, ReferencePartnerConfigError } from '../../src/providers/reference-partner/config.js';

describe('standalone reference partner: the encryption key of its secrets at rest', () => {
  test('PostgreSQL requires REFERENCE_PARTNER_ENCRYPTION_KEY, since replicas must share it', () => {
    assert.throws(
      () => loadReferencePartnerConfig({ REFERENCE_PARTNER_DATABASE_URL: 'postgres://u@h/db' }),
      (error: unknown) => error instanceof ReferencePartnerConfigError && /REFERENCE_PARTNER_ENCRYPTION_KEY/.test(error.message),
    );
    const key = 'ab'.repeat(32);
    assert.equal(loadReferencePartnerConfig({ REFERENCE_PARTNER_DATABASE_URL: 'postgres://u@h/db', REFERENCE_PARTNER_ENCRYPTION_KEY: key }).encryptionKey, key);
  });

  test('SQLite may leave it out (a key file is generated beside the database); a short one is refused', () => {
    assert.equal(loadReferencePartnerConfig({}).encryptionKey, undefined);
    assert.throws(() => loadReferencePartnerConfig({ REFERENCE_PARTNER_ENCRYPTION_KEY: 'short' }), ReferencePartnerConfigError);
  });
});

describe('standalone reference partner: calling Stockroom back', () => {
  test('Stockroom is reached at the issuer unless REFERENCE_PARTNER_STOCKROOM_URL says otherwise; jobs every minute by default', () => {
    const defaults = loadReferencePartnerConfig({ REFERENCE_PARTNER_ISSUER: 'https://stockroom.example/' });
    assert.equal(defaults.stockroomUrl, 'https://stockroom.example');
    assert.equal(defaults.jobIntervalMs, 60_000);
    assert.equal(defaults.clientSecret, undefined);
    const set = loadReferencePartnerConfig({ REFERENCE_PARTNER_STOCKROOM_URL: 'http://10.0.0.5:3000/', REFERENCE_PARTNER_CLIENT_SECRET: 'x'.repeat(32), REFERENCE_PARTNER_JOB_INTERVAL_MS: '0' });
    assert.equal(set.stockroomUrl, 'http://10.0.0.5:3000');
    assert.equal(set.clientSecret, 'x'.repeat(32));
    assert.equal(set.jobIntervalMs, 0);
  });

  test('a short client secret, a URL that is not http(s) and a negative interval are refused, all at once', () => {
    assert.throws(
      () => loadReferencePartnerConfig({ REFERENCE_PARTNER_STOCKROOM_URL: 'ftp://x', REFERENCE_PARTNER_CLIENT_SECRET: 'short', REFERENCE_PARTNER_JOB_INTERVAL_MS: '-1' }),
      (error: unknown) =>
        error instanceof ReferencePartnerConfigError &&
        ['REFERENCE_PARTNER_STOCKROOM_URL', 'REFERENCE_PARTNER_CLIENT_SECRET', 'REFERENCE_PARTNER_JOB_INTERVAL_MS'].every((name) => error.message.includes(name)),
    );
  });
});
