/**
 * Identifiers: a prefix, `_`, then random letters and digits only (semantics.md §8), so that they
 * match Vercel's request patterns such as `^icfg_[a-zA-Z0-9]+$`.
 */
import { randomBytes } from 'node:crypto';

const ALPHABET = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';

/** Random characters after the prefix: 24 base62 characters carry about 143 bits. */
export const ID_RANDOM_LENGTH = 24;

// The largest multiple of 62 that fits in a byte. Bytes at or above it are dropped rather than
// folded with `% 62`, which would make the first 8 characters of the alphabet more likely.
const UNBIASED_LIMIT = 62 * 4;

const PREFIX = /^[a-z][a-z0-9]*$/;
const RANDOM_PART = /^[a-zA-Z0-9]+$/;

/**
 * A new id such as `store_3kTq…`: `prefix`, `_`, then 24 uniformly random base62 characters from
 * the operating system's CSPRNG. Ids encode nothing and, at this length, never repeat.
 * Throws `TypeError` for a prefix other than lowercase letters and digits, which is a bug.
 */
export function newId(prefix: string): string {
  if (!PREFIX.test(prefix)) throw new TypeError(`Invalid id prefix: ${JSON.stringify(prefix)}`);
  let id = `${prefix}_`;
  let remaining = ID_RANDOM_LENGTH;
  while (remaining > 0) {
    // About 3% of bytes are dropped; a few spare bytes make a second round rare.
    for (const byte of randomBytes(remaining + 4)) {
      if (byte >= UNBIASED_LIMIT) continue;
      id += ALPHABET[byte % 62];
      if (--remaining === 0) break;
    }
  }
  return id;
}

/**
 * Whether `value` looks like an id with this prefix: `prefix_` then one or more letters or digits.
 * The length is not checked, because ids Vercel or an import created need not have ours.
 */
export function isId(prefix: string, value: string): boolean {
  return value.startsWith(`${prefix}_`) && RANDOM_PART.test(value.slice(prefix.length + 1));
}
