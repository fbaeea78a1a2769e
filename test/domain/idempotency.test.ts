import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import {
  canonicalJson,
  decideOnRecordedKey,
  IDEMPOTENCY_KEY_TTL_MS,
  IDEMPOTENCY_LEASE_MS,
  idempotencyKeyOf,
  requestFingerprint,
  type KeyRecord,
} from '../../src/domain/idempotency.js';
import { ApiError } from '../../src/errors.js';

describe('idempotencyKeyOf', () => {
  test('no header means no key', () => {
    assert.equal(idempotencyKeyOf(undefined), null);
  });

  for (const key of ['a', 'x'.repeat(255), 'create 1 / retry', '550e8400-e29b-41d4-a716-446655440000']) {
    test(`accepts a key of ${key.length} characters`, () => {
      assert.equal(idempotencyKeyOf(key), key);
    });
  }

  for (const key of ['', 'x'.repeat(256)]) {
    test(`refuses a key of ${key.length} characters with 400 naming the header`, () => {
      assert.throws(
        () => idempotencyKeyOf(key),
        (error: unknown) => error instanceof ApiError && error.code === 'bad_request' && error.extras.param === 'Idempotency-Key',
      );
    });
  }

  test('a repeated header counts as one key, as Node joins it', () => {
    assert.equal(idempotencyKeyOf(['a', 'b']), 'a, b');
  });
});

describe('requestFingerprint', () => {
  const body = { name: 'db', metadata: { region: 'iad1', tags: ['a', 'b'] } };

  test('ignores key order at every depth', () => {
    const reordered = { metadata: { tags: ['a', 'b'], region: 'iad1' }, name: 'db' };
    assert.equal(requestFingerprint('POST', '/x', { teamId: 't' }, body), requestFingerprint('POST', '/x', { teamId: 't' }, reordered));
  });

  const variants: Array<[string, Parameters<typeof requestFingerprint>]> = [
    ['another method', ['PATCH', '/x', {}, body]],
    ['another path', ['POST', '/y', {}, body]],
    ['another query', ['POST', '/x', { teamId: 'other' }, body]],
    ['another value', ['POST', '/x', {}, { ...body, name: 'db2' }]],
    ['an extra field', ['POST', '/x', {}, { ...body, extra: 1 }]],
    ['another array order', ['POST', '/x', {}, { ...body, metadata: { region: 'iad1', tags: ['b', 'a'] } }]],
    ['a number as a string', ['POST', '/x', {}, { ...body, name: 1 }]],
    ['no body', ['POST', '/x', {}, undefined]],
  ];
  for (const [what, args] of variants) {
    test(`changes with ${what}`, () => {
      assert.notEqual(requestFingerprint(...args), requestFingerprint('POST', '/x', {}, body));
    });
  }

  test('canonical JSON parses back to an equal value', () => {
    fc.assert(
      fc.property(fc.jsonValue(), (value) => {
        assert.deepEqual(JSON.parse(canonicalJson(value)), JSON.parse(JSON.stringify(value)));
      }),
      { seed: 5, numRuns: 300 },
    );
  });
});

describe('decideOnRecordedKey', () => {
  const now = 1_700_000_000_000;
  const record = (changes: Partial<KeyRecord> = {}): KeyRecord => ({
    fingerprint: 'f',
    method: 'POST',
    path: '/x',
    claimId: 'claim_1',
    tokenId: 'tok_1',
    lockedAt: now - 1000,
    statusCode: 200,
    createdAt: now - 1000,
    ...changes,
  });
  const cases: Array<[string, KeyRecord, string, string, string?]> = [
    ['an answered key with the same request replays', record(), 'f', 'replay'],
    ['an answered 500 replays too', record({ statusCode: 500 }), 'f', 'replay'],
    ['a different request is refused', record(), 'g', 'reused'],
    ['a different request is refused while the first runs', record({ statusCode: null }), 'g', 'reused'],
    ['a running request with a fresh claim is in use', record({ statusCode: null, lockedAt: now - IDEMPOTENCY_LEASE_MS + 1 }), 'f', 'in_use'],
    ['a claim silent for the whole lease is taken over', record({ statusCode: null, lockedAt: now - IDEMPOTENCY_LEASE_MS }), 'f', 'take_over'],
    ['a key 24 h old is expired', record({ createdAt: now - IDEMPOTENCY_KEY_TTL_MS }), 'f', 'expired'],
    ['an expired key is free for another request', record({ createdAt: now - IDEMPOTENCY_KEY_TTL_MS }), 'g', 'expired'],
    ['a key just under 24 h old still replays', record({ createdAt: now - IDEMPOTENCY_KEY_TTL_MS + 1 }), 'f', 'replay'],
    ['the same request from another token is refused', record(), 'f', 'other_credential', 'tok_2'],
    ['another token is refused while the first runs', record({ statusCode: null }), 'f', 'other_credential', 'tok_2'],
    ['another token may not take over a dead claim', record({ statusCode: null, lockedAt: now - IDEMPOTENCY_LEASE_MS }), 'f', 'other_credential', 'tok_2'],
    ['a key recorded before tokens were matches no token', record({ tokenId: null }), 'f', 'other_credential'],
    ['an expired key is free for another token', record({ createdAt: now - IDEMPOTENCY_KEY_TTL_MS }), 'f', 'expired', 'tok_2'],
  ];
  for (const [what, stored, fingerprint, decision, tokenId = 'tok_1'] of cases) {
    test(what, () => {
      assert.equal(decideOnRecordedKey(stored, fingerprint, tokenId, now), decision);
    });
  }
});
