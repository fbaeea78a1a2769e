import { randomBytes } from 'node:crypto';

const LOWER = 'abcdefghijklmnopqrstuvwxyz0123456789';
const MIXED = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';

/**
 * Random letters and digits. Rejection sampling keeps every character uniform; `lower` keeps
 * the text usable in host names, where case does not count.
 */
export function randomText(length: number, alphabet: 'lower' | 'mixed' = 'mixed'): string {
  const chars = alphabet === 'lower' ? LOWER : MIXED;
  const limit = 256 - (256 % chars.length);
  let out = '';
  while (out.length < length) {
    for (const byte of randomBytes(length * 2)) {
      if (byte < limit && out.length < length) out += chars[byte % chars.length];
    }
  }
  return out;
}

/** A new resource id: `res_` and 24 lowercase letters and digits. */
export function newResourceId(): string {
  return `res_${randomText(24, 'lower')}`;
}
