import { randomBytes } from 'node:crypto';

const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';

/**
 * A new token value: `srk_` and 40 base62 characters (about 238 bits). The prefix lets secret
 * scanners recognise a leaked Stockroom token. Rejection sampling keeps every character uniform.
 */
export function newTokenValue(): string {
  let out = '';
  while (out.length < 40) {
    for (const byte of randomBytes(64)) {
      if (byte < 248 && out.length < 40) out += ALPHABET[byte % 62];
    }
  }
  return `srk_${out}`;
}
