import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import { ID_RANDOM_LENGTH, isId, newId } from '../../src/domain/ids.js';

const PREFIXES = ['team', 'user', 'icfg', 'oac', 'iap', 'store', 'prj', 'pm'];

describe('newId', () => {
  for (const prefix of PREFIXES) {
    test(`makes a ${prefix} id that matches Vercel's pattern`, () => {
      const id = newId(prefix);
      assert.match(id, new RegExp(`^${prefix}_[a-zA-Z0-9]{${ID_RANDOM_LENGTH}}$`));
      assert.ok(isId(prefix, id));
    });
  }

  const badPrefixes = ['', 'Team', 'ic_fg', 'a-b', '1abc', 'store '];
  for (const prefix of badPrefixes) {
    test(`refuses the prefix ${JSON.stringify(prefix)}`, () => {
      assert.throws(() => newId(prefix), TypeError);
    });
  }

  test('uses every base62 character with roughly equal frequency', () => {
    // 24 * 20,000 = 480,000 characters, about 7,742 of each; a bias of the `% 62` kind would put the
    // first 8 characters near 5/4 of the others. The bounds sit about 10 standard deviations out.
    const counts = new Map<string, number>();
    for (let i = 0; i < 20_000; i++) {
      for (const char of newId('x').slice(2)) counts.set(char, (counts.get(char) ?? 0) + 1);
    }
    assert.equal(counts.size, 62);
    for (const [char, count] of counts) assert.ok(count > 6_900 && count < 8_600, `${char}: ${count}`);
  });
});

describe('isId', () => {
  const cases: Array<[string, string, boolean]> = [
    ['icfg', 'icfg_abc123', true],
    ['icfg', 'icfg_', false],
    ['icfg', 'icfg_abc-123', false],
    ['icfg', 'icfg_abc_123', false],
    ['icfg', 'store_abc123', false],
    ['icfg', 'icfgabc123', false],
    ['store', 'store_ABCdef', true],
    ['store', 'store_abc\n', false],
  ];
  for (const [prefix, value, expected] of cases) {
    test(`${expected ? 'accepts' : 'rejects'} ${JSON.stringify(value)} as a ${prefix} id`, () => {
      assert.equal(isId(prefix, value), expected);
    });
  }
});

describe('id properties', () => {
  test('every id matches ^prefix_[a-zA-Z0-9]+$', () => {
    fc.assert(
      fc.property(fc.stringMatching(/^[a-z][a-z0-9]{0,7}$/), (prefix) => {
        const id = newId(prefix);
        return new RegExp(`^${prefix}_[a-zA-Z0-9]+$`).test(id) && isId(prefix, id);
      }),
      { numRuns: 2_000 },
    );
  });

  test('never repeats in 10^5 draws', () => {
    const seen = new Set<string>();
    for (let i = 0; i < 100_000; i++) seen.add(newId('store'));
    assert.equal(seen.size, 100_000);
  });
});
