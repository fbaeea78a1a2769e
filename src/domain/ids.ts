/**
 * Identifiers: a prefix, `_`, then random letters and digits only (docs/rules.md §8), so that they
 * match Vercel's request patterns such as `^icfg_[a-zA-Z0-9]+$`.
 */
import { BASE62, randomText } from '../crypto/random-text.js';

/** Random characters after the prefix: 24 base62 characters carry about 143 bits. */
export const ID_RANDOM_LENGTH = 24;

const PREFIX = /^[a-z][a-z0-9]*$/;
const RANDOM_PART = /^[a-zA-Z0-9]+$/;

/**
 * A new id such as `store_3kTq…`: `prefix`, `_`, then 24 uniformly random base62 characters from
 * the operating system's CSPRNG. Ids encode nothing and, at this length, never repeat.
 * Throws `TypeError` for a prefix other than lowercase letters and digits, which is a bug.
 */
export function newId(prefix: string): string {
  if (!PREFIX.test(prefix)) throw new TypeError(`Invalid id prefix: ${JSON.stringify(prefix)}`);
  return `${prefix}_${randomText(ID_RANDOM_LENGTH, BASE62)}`;
}

/**
 * Whether `value` looks like an id with this prefix: `prefix_` then one or more letters or digits.
 * The length is not checked, because ids Vercel or an import created need not have ours.
 */
export function isId(prefix: string, value: string): boolean {
  return value.startsWith(`${prefix}_`) && RANDOM_PART.test(value.slice(prefix.length + 1));
}
