import { randomFillSync } from 'node:crypto';

/**
 * Uniformly random text from an alphabet, for ids, tokens, passwords and provider resource names,
 * and random bytes for the secret box's IVs.
 *
 * Bytes come from the operating system's CSPRNG 4 KiB at a time: a call into it costs about 5 µs
 * here whatever its size, as much as a small indexed query, and a create made some twenty ids,
 * one call each (issue 7). Node's own `randomUUID` keeps a cache the same way. A byte is used
 * once; rejection sampling (bytes at or above the largest multiple of the alphabet's size are
 * dropped, not folded with `%`) keeps every character equally likely.
 */
const POOL_BYTES = 4096;
const pool = Buffer.alloc(POOL_BYTES);
let used = POOL_BYTES;

function nextRandomByte(): number {
  if (used === POOL_BYTES) {
    randomFillSync(pool);
    used = 0;
  }
  const byte = pool[used] as number;
  pool[used] = 0;
  used += 1;
  return byte;
}

/** `length` random bytes from the pool (nonces, IVs), each byte used once. */
export function randomPoolBytes(length: number): Buffer {
  const out = Buffer.allocUnsafe(length);
  for (let i = 0; i < length; i += 1) out[i] = nextRandomByte();
  return out;
}

export const BASE62 = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';
export const LOWERCASE_ALPHANUMERIC = 'abcdefghijklmnopqrstuvwxyz0123456789';

/** `length` characters of `alphabet` (2 to 256 characters), each uniformly random. */
export function randomText(length: number, alphabet: string = BASE62): string {
  if (alphabet.length < 2 || alphabet.length > 256) throw new RangeError(`alphabet of ${alphabet.length} characters`);
  const limit = 256 - (256 % alphabet.length);
  let out = '';
  while (out.length < length) {
    const byte = nextRandomByte();
    if (byte < limit) out += alphabet[byte % alphabet.length];
  }
  return out;
}
