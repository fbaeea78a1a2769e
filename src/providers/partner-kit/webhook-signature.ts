import { createHmac, timingSafeEqual } from 'node:crypto';

/**
 * Whether `x-vercel-signature` is the hex HMAC-SHA1 of the raw request body keyed with the
 * integration's client secret (partner-api.md §1.3), compared in constant time. The body must be
 * the bytes received, before any JSON parsing: a re-serialised body does not verify.
 */
export function verifyVercelSignature(rawBody: string | Buffer, signature: string | undefined, clientSecret: string): boolean {
  if (typeof signature !== 'string' || !/^[0-9a-f]{40}$/i.test(signature)) return false;
  const expected = createHmac('sha1', clientSecret).update(rawBody).digest();
  return timingSafeEqual(expected, Buffer.from(signature, 'hex'));
}
