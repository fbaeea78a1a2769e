import { randomBytes } from 'node:crypto';
import { chmodSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { exportJWK, generateKeyPair, importJWK, type CryptoKey, type JWK } from 'jose';

/** An RS256 key the checker signs with, and its public half as the JWKS publishes it. */
export interface CheckerKey {
  readonly kid: string;
  readonly privateKey: CryptoKey;
  readonly publicJwk: JWK;
}

/**
 * The checker's signing key, kept in a file between runs. A partner caches the JWKS it fetched
 * (jose refetches at most every 30 s on an unknown `kid`), so a new key on every run would make the
 * second run within a minute fail every check; one key per machine does not. The file holds a
 * private key of a test issuer only, written readable by its owner alone.
 */
export async function loadOrCreateCheckerKey(path: string): Promise<CheckerKey> {
  const stored = readKeyFile(path);
  if (stored) {
    const privateKey = await importJWK(stored, 'RS256');
    if (privateKey instanceof Uint8Array || typeof stored.kid !== 'string') throw new Error(`${path} does not hold an RSA private key with a kid`);
    return { kid: stored.kid, privateKey, publicJwk: publicHalf(stored) };
  }
  const created = await generateCheckerKey(`srcheck-${randomBytes(6).toString('hex')}`);
  const privateJwk: JWK = { ...(await exportJWK(created.privateKey)), kid: created.kid, alg: 'RS256' };
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, `${JSON.stringify(privateJwk)}\n`, { mode: 0o600 });
  chmodSync(path, 0o600);
  return created;
}

/** A fresh key kept in memory only: the checker's "stranger" key, never published. */
export async function generateCheckerKey(kid: string): Promise<CheckerKey> {
  const { publicKey, privateKey } = await generateKeyPair('RS256', { extractable: true });
  return { kid, privateKey, publicJwk: { ...(await exportJWK(publicKey)), kid, alg: 'RS256', use: 'sig' } };
}

function readKeyFile(path: string): JWK | undefined {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
  return JSON.parse(text) as JWK;
}

/** The public members of an RSA JWK. */
function publicHalf(jwk: JWK): JWK {
  return { kty: jwk.kty, n: jwk.n, e: jwk.e, kid: jwk.kid, alg: 'RS256', use: 'sig' } as JWK;
}
