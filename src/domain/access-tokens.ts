import { BASE62, randomText } from '../crypto/random-text.js';

/**
 * A new token value: `srk_` and 40 base62 characters (about 238 bits). The prefix lets secret
 * scanners recognise a leaked Stockroom token. Rejection sampling keeps every character uniform.
 */
export function newTokenValue(): string {
  return `srk_${randomText(40, BASE62)}`;
}
