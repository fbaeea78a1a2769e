import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { LOWERCASE_ALPHANUMERIC, randomText } from '../../src/crypto/random-text.js';
import { createSecretBox } from '../../src/crypto/secret-box.js';

describe('randomText', () => {
  test('draws each character of a 36-character alphabet with roughly equal frequency, across pool refills', () => {
    const counts = new Map<string, number>();
    // 200,000 characters use about 56 refills of the 4 KiB pool.
    for (let i = 0; i < 10_000; i += 1) for (const c of randomText(20, LOWERCASE_ALPHANUMERIC)) counts.set(c, (counts.get(c) ?? 0) + 1);
    assert.deepEqual([...counts.keys()].sort().join(''), [...LOWERCASE_ALPHANUMERIC].sort().join(''));
    const expected = 200_000 / 36;
    // Chi-square with 35 degrees of freedom: 80 is far beyond p = 0.0001 (about 71).
    const chi2 = [...counts.values()].reduce((sum, n) => sum + (n - expected) ** 2 / expected, 0);
    assert.ok(chi2 < 80, `chi-square ${chi2.toFixed(1)}`);
  });

  test('gives the length asked for, and no two draws alike', () => {
    const seen = new Set(Array.from({ length: 1000 }, () => randomText(24)));
    assert.equal(seen.size, 1000);
    assert.ok([...seen].every((s) => /^[0-9A-Za-z]{24}$/.test(s)));
  });

  test('refuses an alphabet it cannot draw from uniformly', () => {
    assert.throws(() => randomText(5, 'a'), RangeError);
    assert.throws(() => randomText(5, 'x'.repeat(257)), RangeError);
  });
});

describe('the secret box with pooled IVs', () => {
  test('seals the same text under a different IV every time, and opens each', () => {
    const box = createSecretBox('a passphrase for the test');
    const sealed = Array.from({ length: 500 }, () => box.seal('postgres://user:pw@host/db'));
    assert.equal(new Set(sealed.map((s) => s.split('.')[2])).size, 500, 'an IV repeated');
    assert.ok(sealed.every((s) => box.open(s) === 'postgres://user:pw@host/db'));
  });
});
