/**
 * Money as Stockroom stores it: integer US cents (docs/rules.md §3, "Money").
 *
 * Vercel's billing plans carry amounts as decimal USD display strings ("20.00", "4.39", "10") and
 * `preauthorizationAmount` as a JSON number (10.53). Multiplying a float by 100 is not exact
 * (`4.35 * 100 === 434.99999999999994`), so both forms are parsed as decimal text instead.
 */

/** Thrown when a plan carries an amount that is not a plain non-negative USD decimal. */
export class MoneyFormatError extends Error {
  constructor(readonly value: unknown) {
    super(`Not a USD amount: ${typeof value === 'string' ? JSON.stringify(value) : String(value)}`);
    this.name = 'MoneyFormatError';
  }
}

// Digits, then an optional fraction. Sub-cent digits are allowed only when they are zeros
// ("4.390"): anything finer cannot be charged, and rounding it silently would bill a different
// amount than the plan shows. No sign, currency symbol, grouping or whitespace: a plan amount is
// machine data, and guessing at "$1,000" would hide a provider bug.
const USD_DECIMAL = /^(\d+)(?:\.(\d{1,2})(0*))?$/;

/**
 * Parses a non-negative USD amount to integer cents, exactly.
 * Strings must look like "20", "20.5" or "20.00"; numbers must be finite and non-negative and are
 * read through their shortest decimal form (`String(10.53)` is "10.53"), so no float error creeps in.
 * Throws `MoneyFormatError` for anything else, or for amounts beyond `Number.MAX_SAFE_INTEGER` cents.
 * A malformed amount comes from the provider's plan, not from the caller, so it is not an `ApiError`:
 * it surfaces as a 500.
 */
export function parseUsdToCents(value: string | number): number {
  const text = typeof value === 'number' ? (Number.isFinite(value) ? String(value) : '') : value;
  const match = typeof text === 'string' ? USD_DECIMAL.exec(text) : null;
  if (match === null) throw new MoneyFormatError(value);
  const dollars = BigInt(match[1] ?? '0');
  const cents = BigInt((match[2] ?? '').padEnd(2, '0'));
  const total = dollars * 100n + cents;
  if (total > BigInt(Number.MAX_SAFE_INTEGER)) throw new MoneyFormatError(value);
  return Number(total);
}

/**
 * Formats integer cents as a USD decimal string with two fraction digits ("20.00"), the form
 * Vercel's plans use. Negative amounts (refunds in the ledger) keep their sign ("-4.39").
 * Throws `RangeError` for non-integers, which would mean a bug in the caller.
 */
export function formatCents(cents: number): string {
  if (!Number.isSafeInteger(cents)) throw new RangeError(`Cents must be a safe integer, got ${cents}`);
  const sign = cents < 0 ? '-' : '';
  const abs = Math.abs(cents);
  return `${sign}${Math.trunc(abs / 100)}.${String(abs % 100).padStart(2, '0')}`;
}
