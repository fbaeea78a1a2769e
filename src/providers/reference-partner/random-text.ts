import { LOWERCASE_ALPHANUMERIC, BASE62, randomText as randomFrom } from '../../crypto/random-text.js';

/** Random letters and digits; `lower` keeps the text usable in host names, where case does not count. */
export function randomText(length: number, alphabet: 'lower' | 'mixed' = 'mixed'): string {
  return randomFrom(length, alphabet === 'lower' ? LOWERCASE_ALPHANUMERIC : BASE62);
}

/** A new resource id: `res_` and 24 lowercase letters and digits. */
export function newResourceId(): string {
  return `res_${randomText(24, 'lower')}`;
}
