/**
 * Money as Stockroom stores it: integer US cents (docs/rules.md §3, "Money").
 *
 * Vercel's billing plans carry amounts as decimal USD display strings ("20.00", "4.39", "10") and
 * `preauthorizationAmount` as a JSON number (10.53). Multiplying a float by 100 is not exact
 * (`4.35 * 100 === 434.99999999999994`), so both forms are parsed as decimal text instead.
 * The one place Stockroom reads decimal USD: plan amounts and invoice totals (`parseUsdToCents`,
 * whole cents), invoice lines (`lineCents`, a sub-cent unit price × quantity, rounded half up) and
 * partner billing data (`isSignedDecimal`, checked and stored as sent).
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

// A unit price may be finer than a cent ("0.0004" per request): up to 12 fraction digits.
const PRICE_DECIMAL = /^(\d+)(?:\.(\d{1,12}))?$/;

/**
 * `price × quantity` in cents, rounded half up, computed exactly: the price may carry sub-cent
 * digits (a unit price of "0.0004"), so both are read as decimal text into big integers.
 * Undefined when either is not a plain non-negative decimal.
 */
export function lineCents(price: string, quantity: number): number | undefined {
  const p = decimal(price);
  const q = Number.isFinite(quantity) && quantity >= 0 ? decimal(plainNumber(quantity)) : undefined;
  if (!p || !q) return undefined;
  const scale = 10n ** BigInt(p.digits + q.digits);
  const hundredths = p.value * q.value * 100n;
  const cents = (hundredths * 2n + scale) / (scale * 2n);
  return cents > BigInt(Number.MAX_SAFE_INTEGER) ? undefined : Number(cents);
}

function decimal(text: string): { value: bigint; digits: number } | undefined {
  const match = PRICE_DECIMAL.exec(text);
  if (!match) return undefined;
  const fraction = match[2] ?? '';
  return { value: BigInt((match[1] ?? '0') + fraction), digits: fraction.length };
}

/** A number as plain decimal text (`1e-7` → `0.0000001`), within the 12 digits `PRICE_DECIMAL` reads. */
function plainNumber(n: number): string {
  const text = String(n);
  if (!/e/i.test(text)) return text;
  return n.toFixed(12).replace(/\.?0+$/, '');
}

// What a partner reports as billing data (Submit Billing Data's prices, totals and discounts): a
// signed decimal, up to 15 integer and 10 fraction digits. Stored as the partner sent it.
const SIGNED_DECIMAL = /^-?\d{1,15}(\.\d{1,10})?$/;

/** Whether `text` is a signed decimal amount such as "12.50", "-3" or "0.0001" (Submit Billing Data). */
export function isSignedDecimal(text: string): boolean {
  return SIGNED_DECIMAL.test(text);
}
