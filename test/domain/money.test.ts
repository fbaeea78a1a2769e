import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import { formatCents, MoneyFormatError, parseUsdToCents } from '../../src/domain/money.js';

describe('parseUsdToCents', () => {
  const valid: Array<[string | number, number]> = [
    ['20.00', 2000],
    ['4.39', 439],
    ['10', 1000],
    ['0', 0],
    ['0.5', 50],
    ['0.05', 5],
    ['4.390', 439],
    ['007.10', 710],
    ['4.35', 435],
    [10.53, 1053],
    [4.35, 435],
    [1.005e2, 10050],
    [5, 500],
    [0, 0],
    [0.1, 10],
    ['90071992547409.91', Number.MAX_SAFE_INTEGER],
  ];
  for (const [input, cents] of valid) {
    test(`reads ${JSON.stringify(input)} as ${cents} cents`, () => {
      assert.equal(parseUsdToCents(input), cents);
    });
  }

  const malformed: Array<string | number> = [
    '',
    ' 1.00',
    '1.00 ',
    '$1.00',
    '1,000.00',
    '-1.00',
    '+1.00',
    '1.',
    '.5',
    '1.001',
    '1.234',
    '1e3',
    'Free',
    '0x10',
    '90071992547409.92',
    -1,
    0.001,
    1e-7,
    1e21,
    Number.NaN,
    Number.POSITIVE_INFINITY,
  ];
  for (const input of malformed) {
    test(`rejects ${typeof input === 'string' ? JSON.stringify(input) : String(input)} as not a USD amount`, () => {
      assert.throws(() => parseUsdToCents(input), MoneyFormatError);
    });
  }

  test('rejects values that are neither strings nor numbers, which a provider may still send', () => {
    assert.throws(() => parseUsdToCents(null as unknown as string), MoneyFormatError);
    assert.throws(() => parseUsdToCents({} as unknown as string), MoneyFormatError);
  });
});

describe('formatCents', () => {
  const cases: Array<[number, string]> = [
    [0, '0.00'],
    [5, '0.05'],
    [50, '0.50'],
    [439, '4.39'],
    [2000, '20.00'],
    [123456789, '1234567.89'],
    [-439, '-4.39'],
    [-5, '-0.05'],
  ];
  for (const [cents, text] of cases) {
    test(`formats ${cents} cents as "${text}"`, () => {
      assert.equal(formatCents(cents), text);
    });
  }

  test('refuses fractional cents, which would be a bug upstream', () => {
    assert.throws(() => formatCents(1.5), RangeError);
    assert.throws(() => formatCents(Number.NaN), RangeError);
  });
});

describe('money properties', () => {
  test('formatting then parsing gives back every amount from 0 to 10^9 cents', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 1_000_000_000 }), (cents) => parseUsdToCents(formatCents(cents)) === cents),
      { numRuns: 10_000 },
    );
  });

  test('a dollars-and-cents number parses to the same cents as its string', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 1_000_000_000 }), (cents) => {
        const asNumber = Number(formatCents(cents));
        return parseUsdToCents(asNumber) === cents;
      }),
      { numRuns: 10_000 },
    );
  });
});
