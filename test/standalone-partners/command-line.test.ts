import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { UsageError } from '../../src/providers/command-line.js';
import { builtinPartnerEnvironment } from '../../src/providers/builtin-partner/command-line.js';
import { loadBuiltinPartnerConfig } from '../../src/providers/builtin-partner/config.js';
import { referencePartnerEnvironment } from '../../src/providers/reference-partner/command-line.js';
import { loadReferencePartnerConfig } from '../../src/providers/reference-partner/config.js';

const referenceConfig = (argv: string[], env: Record<string, string> = {}) => {
  const read = referencePartnerEnvironment(argv, env);
  assert.equal(read.help, false);
  return loadReferencePartnerConfig(read.help ? {} : read.env);
};

describe('reference partner command line', () => {
  test('--jwks alone: the issuer is its origin and Vercel (--vercel-url) is reached there', () => {
    const config = referenceConfig(['--jwks', 'https://marketplace.example/.well-known/jwks']);
    assert.equal(config.issuer, 'https://marketplace.example');
    assert.equal(config.jwksUrl, 'https://marketplace.example/.well-known/jwks');
    assert.equal(config.stockroomUrl, 'https://marketplace.example');
    assert.equal(config.rotation, 'sync');
  });

  test('flags win over variables; an issuer set as a variable is kept over the JWKS origin', () => {
    const config = referenceConfig(['--jwks', 'http://127.0.0.1:3199/.well-known/jwks', '--client-id', 'oac_flag', '--vercel-url', 'http://127.0.0.1:4000', '--rotation', 'async', '--port', '0'], {
      REFERENCE_PARTNER_CLIENT_ID: 'oac_env',
      REFERENCE_PARTNER_ISSUER: 'http://issuer.example',
      REFERENCE_PARTNER_PORT: '5000',
    });
    assert.deepEqual(
      { clientId: config.clientId, issuer: config.issuer, stockroomUrl: config.stockroomUrl, rotation: config.rotation, port: config.port },
      { clientId: 'oac_flag', issuer: 'http://issuer.example', stockroomUrl: 'http://127.0.0.1:4000', rotation: 'async', port: 0 },
    );
    assert.equal(referenceConfig(['--jwks', 'http://a.example/jwks', '--issuer', 'http://b.example']).issuer, 'http://b.example');
  });

  test('without flags the variables and defaults are as before', () => {
    const config = referenceConfig([], { REFERENCE_PARTNER_ROTATION: 'async' });
    assert.equal(config.issuer, 'http://127.0.0.1:3000');
    assert.equal(config.jwksUrl, 'http://127.0.0.1:3000/.well-known/jwks');
    assert.equal(config.rotation, 'async');
    assert.deepEqual(referencePartnerEnvironment(['-h'], {}), { help: true });
  });

  test('a JWKS URL given as a variable sets the issuer default as the flag does', () => {
    assert.equal(referenceConfig([], { REFERENCE_PARTNER_JWKS_URL: 'http://127.0.0.1:3199/.well-known/jwks' }).issuer, 'http://127.0.0.1:3199');
    assert.equal(referenceConfig([], { REFERENCE_PARTNER_JWKS_URL: 'http://127.0.0.1:3199/.well-known/jwks', REFERENCE_PARTNER_ISSUER: 'https://marketplace.vercel.com' }).issuer, 'https://marketplace.vercel.com');
  });

  test('unknown flags, missing values and stray words are usage errors', () => {
    for (const argv of [['--nope'], ['--port'], ['stray'], ['--jwks', 'ftp://x/jwks']]) assert.throws(() => referencePartnerEnvironment(argv, {}), UsageError, argv.join(' '));
  });
});

describe('built-in partner command line', () => {
  test('the provider comes first; the client id defaults to its catalog entry; the issuer to the JWKS origin', () => {
    const read = builtinPartnerEnvironment(['redis', '--admin-url', 'redis://127.0.0.1:6379', '--jwks', 'http://127.0.0.1:3199/.well-known/jwks'], {});
    assert.ok(!read.help);
    const config = loadBuiltinPartnerConfig(read.provider, read.env);
    assert.equal(read.provider.tablePrefix, 'redis_provider_');
    assert.deepEqual(
      { clientId: config.clientId, issuer: config.issuer, port: config.port, database: config.database },
      { clientId: 'oac_stockroomRedis', issuer: 'http://127.0.0.1:3199', port: 3102, database: { kind: 'sqlite', path: './.stockroom/builtin-redis.db' } },
    );
  });

  test('PostgreSQL bookkeeping needs an encryption key shared by replicas', () => {
    const read = builtinPartnerEnvironment(['postgres', '--admin-url', 'postgres://a@h/db', '--database-url', 'postgres://a@h/books'], {});
    assert.ok(!read.help);
    assert.throws(() => loadBuiltinPartnerConfig(read.provider, read.env), /BUILTIN_PARTNER_ENCRYPTION_KEY: required/);
  });
});
