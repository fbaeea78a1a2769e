import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { parseCommandLine, UsageError } from '../../src/check-partner/command-line.js';

const required = ['--url', 'https://partner.example/api/', '--client-id', 'oac_x', '--product', 'db'];

describe('check-partner command line', () => {
  test('defaults', () => {
    const parsed = parseCommandLine(required);
    assert.notEqual(parsed, 'help');
    if (parsed === 'help') return;
    assert.deepEqual(parsed.settings, {
      url: 'https://partner.example/api',
      clientId: 'oac_x',
      product: 'db',
      metadata: {},
      readyTimeoutMs: 60_000,
      callbackTimeoutMs: 30_000,
      timeoutMs: 30_000,
      slowMs: 3_000,
      keep: false,
      prefix: 'srcheck',
    });
    assert.equal(parsed.jwksPort, 3199);
    assert.equal(parsed.keyFile, '.stockroom/check-partner-key.json');
    assert.equal(parsed.json, false);
  });

  test('every option', () => {
    const parsed = parseCommandLine([...required, '--metadata', '{"region":"iad1"}', '--plan', 'pro', '--jwks-port', '0', '--public-url', 'http://host:9', '--issuer', 'https://marketplace.vercel.com', '--keep', '--json', '--junit', 'r.xml', '--prefix', 'ci-run', '--ready-timeout-ms', '1500']);
    assert.notEqual(parsed, 'help');
    if (parsed === 'help') return;
    assert.deepEqual(parsed.settings.metadata, { region: 'iad1' });
    assert.equal(parsed.settings.planId, 'pro');
    assert.equal(parsed.settings.keep, true);
    assert.equal(parsed.settings.prefix, 'ci-run');
    assert.equal(parsed.settings.readyTimeoutMs, 1500);
    assert.equal(parsed.jwksPort, 0);
    assert.equal(parsed.publicUrl, 'http://host:9');
    assert.equal(parsed.issuer, 'https://marketplace.vercel.com');
    assert.equal(parsed.junitFile, 'r.xml');
    assert.equal(parsed.json, true);
  });

  test('help', () => {
    assert.equal(parseCommandLine(['--help']), 'help');
    assert.equal(parseCommandLine(['-h']), 'help');
  });

  test('every problem is reported at once, in words', () => {
    assert.throws(
      () => parseCommandLine(['--url', 'ftp://x', '--metadata', '[1]', '--jwks-port', '70000', '--prefix', 'UPPER']),
      (error: unknown) => {
        assert.ok(error instanceof UsageError);
        assert.match(error.message, /--url must be an http:\/\/ or https:\/\/ URL/);
        assert.match(error.message, /--client-id is required/);
        assert.match(error.message, /--product is required/);
        assert.match(error.message, /--metadata must be a JSON object/);
        assert.match(error.message, /--jwks-port must be a whole number from 0 to 65535/);
        assert.match(error.message, /--prefix must be 1–20 lowercase letters/);
        return true;
      },
    );
    assert.throws(() => parseCommandLine([...required, '--nope']), UsageError);
    assert.throws(() => parseCommandLine([...required, 'positional']), UsageError);
  });
});
