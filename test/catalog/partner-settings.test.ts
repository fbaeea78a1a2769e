import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { deriveBuiltinClientSecret } from '../../src/catalog/builtin-client-secret.js';
import { resolvePartnerUrl } from '../../src/catalog/catalog.js';
import { CatalogError } from '../../src/catalog/catalog-error.js';
import { parseCatalog, type CatalogOptions } from '../../src/catalog/load-catalog.js';
import { type CatalogJson, defaultCatalogJson } from './catalog-files.js';

/**
 * What the catalog says per integration for the partner side (issue 15 §6): the client secret
 * (written, named by an environment variable, or derived for a built-in provider), the webhook
 * URL and the redirect-login URL; checked when the catalog loads, not at the first webhook.
 */

const ACME = 'integrations[0] (acme)';
const SECRET = 'a-client-secret-of-32-characters';

function acme(json: CatalogJson) {
  return json.integrations[0];
}

/** The default catalog, changed by `change`, parsed with `options`; the CatalogError it throws, or the catalog. */
function parse(change: (json: CatalogJson) => void, options: CatalogOptions = {}) {
  const json = defaultCatalogJson();
  change(json);
  return parseCatalog(json, 'test.json', { env: {}, ...options });
}

function refusal(change: (json: CatalogJson) => void, options: CatalogOptions = {}): CatalogError {
  try {
    parse(change, options);
  } catch (error) {
    assert.ok(error instanceof CatalogError, String(error));
    return error;
  }
  assert.fail('the catalog loaded, but it should have been refused');
}

describe('catalog: client secrets', () => {
  test('clientSecretEnv naming an unset (or empty) variable is refused, naming the field and the variable', () => {
    for (const env of [{}, { ACME_SECRET: '' }]) {
      const error = refusal((json) => (acme(json).clientSecretEnv = 'ACME_SECRET'), { env });
      assert.equal(error.problems.length, 1);
      assert.equal(error.problems[0]!.entry, ACME);
      assert.equal(error.problems[0]!.field, 'clientSecretEnv');
      assert.match(error.problems[0]!.message, /ACME_SECRET, which is not set/);
      assert.match(error.message, /test\.json/);
    }
  });

  test('clientSecretEnv naming a variable shorter than 16 characters is refused', () => {
    const error = refusal((json) => (acme(json).clientSecretEnv = 'ACME_SECRET'), { env: { ACME_SECRET: 'short-secret' } });
    assert.equal(error.problems[0]!.field, 'clientSecretEnv');
    assert.match(error.problems[0]!.message, /ACME_SECRET holds fewer than 16 characters/);
    assert.doesNotMatch(error.message, /short-secret/, 'the value is never in the message');
  });

  test('clientSecret and clientSecretEnv together are refused', () => {
    const error = refusal(
      (json) => {
        acme(json).clientSecret = SECRET;
        acme(json).clientSecretEnv = 'ACME_SECRET';
      },
      { env: { ACME_SECRET: SECRET } },
    );
    assert.equal(error.problems[0]!.field, 'clientSecretEnv');
    assert.match(error.problems[0]!.message, /not both/);
  });

  test('a written clientSecret shorter than 16 characters, or a malformed variable name, is refused', () => {
    assert.equal(refusal((json) => (acme(json).clientSecret = 'short')).problems[0]!.field, 'clientSecret');
    assert.equal(refusal((json) => (acme(json).clientSecretEnv = 'NOT-A-NAME')).problems[0]!.field, 'clientSecretEnv');
  });

  test('the secret comes from the variable, or the file; never from the derivation when given', () => {
    const fromEnv = parse((json) => (acme(json).clientSecretEnv = 'ACME_SECRET'), { env: { ACME_SECRET: SECRET }, builtinClientSecret: () => 'derived-should-not-be-used' });
    assert.equal(fromEnv.findIntegration('acme')?.clientSecret, SECRET);
    assert.equal(fromEnv.findIntegration('acme')?.clientSecretEnv, 'ACME_SECRET');
    const written = parse((json) => (acme(json).clientSecret = SECRET), { builtinClientSecret: () => 'derived-should-not-be-used' });
    assert.equal(written.findIntegration('acme')?.clientSecret, SECRET);
  });

  test('a built-in provider without one gets the derived secret, the same on every load and for every replica with the key', () => {
    const key = 'a'.repeat(64);
    const load = (encryptionKey: string) => parse(() => undefined, { builtinClientSecret: (id) => deriveBuiltinClientSecret(encryptionKey, id) }).findIntegration('acme')?.clientSecret;
    const first = load(key);
    assert.ok(first && first.length >= 32);
    assert.equal(load(key), first, 'stable across loads');
    assert.notEqual(load('b'.repeat(64)), first, 'another key, another secret');
    assert.notEqual(deriveBuiltinClientSecret(key, 'oac_other'), first, 'another integration, another secret');
  });

  test('an integration that is not built in gets no derived secret', () => {
    const catalog = parse((json) => (acme(json).providerBaseUrl = 'https://partner.example.com'), { builtinClientSecret: () => 'derived' });
    assert.equal(catalog.findIntegration('acme')?.clientSecret, undefined);
  });
});

describe('catalog: partner URLs', () => {
  test('webhookUrl and redirectLoginUrl take http(s) URLs or builtin:<name>/<path>', () => {
    const catalog = parse((json) => {
      acme(json).webhookUrl = 'builtin:reference/webhook';
      acme(json).redirectLoginUrl = 'https://partner.example.com/sso';
    });
    assert.equal(catalog.findIntegration('acme')?.webhookUrl, 'builtin:reference/webhook');
    assert.equal(catalog.findIntegration('acme')?.redirectLoginUrl, 'https://partner.example.com/sso');
  });

  test('anything else is refused, naming the field', () => {
    for (const [field, value] of [
      ['webhookUrl', 'ftp://partner.example.com/hook'],
      ['redirectLoginUrl', 'builtin:reference'],
      ['redirectLoginUrl', 'partner.example.com/sso'],
    ] as const) {
      const error = refusal((json) => (acme(json)[field] = value));
      assert.equal(error.problems[0]!.entry, ACME, `${field}=${value}`);
      assert.equal(error.problems[0]!.field, field, `${field}=${value}`);
    }
  });

  test('resolvePartnerUrl puts builtin:<name>/<path> under that provider’s base URL and leaves http(s) URLs alone', () => {
    const base = (configured: string) => (configured === 'builtin:reference' ? 'http://127.0.0.1:3000/partners/reference' : assert.fail(configured));
    assert.equal(resolvePartnerUrl('builtin:reference/sso/landing?x=1', base), 'http://127.0.0.1:3000/partners/reference/sso/landing?x=1');
    assert.equal(resolvePartnerUrl('https://partner.example.com/sso', base), 'https://partner.example.com/sso');
  });
});
