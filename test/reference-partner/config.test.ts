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
