import { BASE62, LOWERCASE_ALPHANUMERIC, randomText as randomFrom } from '../../crypto/random-text.js';

/** Random letters and digits; `lower` keeps the text usable in host names, where case does not count. */
export function randomText(length: number, alphabet: 'lower' | 'mixed' = 'mixed'): string {
  return randomFrom(length, alphabet === 'lower' ? LOWERCASE_ALPHANUMERIC : BASE62);
}
