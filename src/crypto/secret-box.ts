import { createCipheriv, createDecipheriv, createHash, scryptSync } from 'node:crypto';
import { randomPoolBytes } from './random-text.js';

/**
 * Encrypts secrets at rest with AES-256-GCM (docs/rules.md §6, docs/secrets-at-rest.md).
 *
 * Stored forms, base64url parts, so a value can live in a text column on both SQLite and
 * PostgreSQL:
 * - `v2.<salt>.<iv>.<tag>.<ciphertext>`, written now. `salt` is empty when the configured key is
 *   a 32-byte key, used as is; otherwise the key is a passphrase and the AES key is
 *   scrypt(passphrase, salt). The value's `context` (what row and column it belongs to) is the
 *   GCM additional data, so a sealed value copied into another row does not open there.
 * - `v1.<iv>.<tag>.<ciphertext>`, written before: no context, and a passphrase was stretched with
 *   a single SHA-256. Still opened, so existing databases keep working; rewritten as `v2` the
 *   next time the value changes.
 */
export interface SecretBox {
  /** `context` names the value's place (e.g. `stores.secrets_sealed:<id>`); opening needs the same. */
  seal(plaintext: string, context?: string): string;
  open(sealed: string, context?: string): string;
}

/** GCM's full tag. Node accepts shorter tags unless told the length, and a 4-byte tag is forgeable. */
const TAG_BYTES = 16;
const IV_BYTES = 12;
const SALT_BYTES = 16;
/**
 * scrypt cost: N = 2^15, r = 8 (about 32 MiB and 0.1 s on an idle core), OWASP's floor for
 * scrypt. Paid once per salt per process: a box seals with one salt (Stockroom keeps it in the
 * database, so replicas and restarts share it) and caches the keys of the salts it has opened.
 */
const SCRYPT = { N: 2 ** 15, r: 8, p: 1, maxmem: 64 * 1024 * 1024 } as const;
/** Salts a box remembers keys for; more than one appears only if the stored salt was lost. */
const MAX_CACHED_SALTS = 64;

/**
 * `key` is the configured encryption key: 32 bytes as 64 hex chars or base64, used as is, or any
 * other string, a passphrase, which goes through scrypt with a salt kept in each value. `salt`
 * (16 bytes) is the one to seal with; without it the box picks a random one.
 */
export function createSecretBox(key: string, options: { readonly salt?: Buffer } = {}): SecretBox {
  const rawKey = parseRawKey(key);
  if (options.salt && options.salt.length !== SALT_BYTES) throw new Error(`the secret box's salt must be ${SALT_BYTES} bytes`);
  // A passphrase gets one salt per box, so sealing costs no KDF run after the first.
  const sealSalt = rawKey ? Buffer.alloc(0) : (options.salt ?? randomPoolBytes(SALT_BYTES));
  const derived = new Map<string, Buffer>();
  const keyFor = (salt: Buffer): Buffer => {
    if (rawKey) {
      if (salt.length !== 0) throw new Error('sealed secret was sealed with a passphrase, but the key is a raw key');
      return rawKey;
    }
    if (salt.length !== SALT_BYTES) throw new Error('sealed secret was sealed with a raw key, but the key is a passphrase');
    const id = salt.toString('base64url');
    let k = derived.get(id);
    if (!k) {
      k = derivePassphraseKey(key, salt);
      if (derived.size >= MAX_CACHED_SALTS) derived.delete(derived.keys().next().value as string);
      derived.set(id, k);
    }
    return k;
  };
  // Derived now, at start, rather than in the first request that seals.
  if (!rawKey) keyFor(sealSalt);
  const legacyKey = rawKey ?? createHash('sha256').update(key, 'utf8').digest();
  return {
    seal(plaintext, context) {
      const iv = randomPoolBytes(IV_BYTES);
      const cipher = createCipheriv('aes-256-gcm', keyFor(sealSalt), iv, { authTagLength: TAG_BYTES });
      cipher.setAAD(aad(context));
      const body = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
      return ['v2', sealSalt, iv, cipher.getAuthTag(), body].map((p) => (typeof p === 'string' ? p : p.toString('base64url'))).join('.');
    },
    open(sealed, context) {
      const parts = sealed.split('.');
      if (parts[0] === 'v2' && parts.length === 5) {
        const [, salt, iv, tag, body] = parts as [string, string, string, string, string];
        return decrypt(keyFor(Buffer.from(salt, 'base64url')), iv, tag, body, aad(context));
      }
      if (parts[0] === 'v1' && parts.length === 4) {
        const [, iv, tag, body] = parts as [string, string, string, string];
        return decrypt(legacyKey, iv, tag, body, undefined);
      }
      throw new Error('sealed secret has an unknown format');
    },
  };
}

/** scrypt(passphrase, salt) → a 32-byte AES key; exported for the KDF's test vector. */
export function derivePassphraseKey(passphrase: string, salt: Buffer): Buffer {
  return scryptSync(passphrase.normalize('NFC'), salt, 32, SCRYPT);
}

function decrypt(key: Buffer, iv64: string, tag64: string, body64: string, additional: Buffer | undefined): string {
  const iv = Buffer.from(iv64, 'base64url');
  const tag = Buffer.from(tag64, 'base64url');
  if (iv.length !== IV_BYTES) throw new Error('sealed secret has an invalid IV');
  // Checked here as well as by `authTagLength`: a short tag is an attack, not a format to accept.
  if (tag.length !== TAG_BYTES) throw new Error('sealed secret has a truncated or invalid tag');
  const decipher = createDecipheriv('aes-256-gcm', key, iv, { authTagLength: TAG_BYTES });
  decipher.setAuthTag(tag);
  if (additional) decipher.setAAD(additional);
  return Buffer.concat([decipher.update(Buffer.from(body64, 'base64url')), decipher.final()]).toString('utf8');
}

function aad(context: string | undefined): Buffer {
  return Buffer.from(context ?? '', 'utf8');
}

/** True when `key` is used as is; false for a passphrase, which needs a salt. */
export function isRawKey(key: string): boolean {
  return parseRawKey(key) !== undefined;
}

/** A 32-byte key as 64 hex chars or (padded or not) base64; anything else is a passphrase. */
function parseRawKey(key: string): Buffer | undefined {
  if (/^[0-9a-fA-F]{64}$/.test(key)) return Buffer.from(key, 'hex');
  const b64 = Buffer.from(key, 'base64');
  if (b64.length === 32 && b64.toString('base64').replace(/=+$/, '') === key.replace(/=+$/, '')) return b64;
  return undefined;
}

/** Tokens are stored only as this hash: SHA-256 is enough because tokens are 256 random bits. */
export function hashToken(token: string): string {
  return createHash('sha256').update(token, 'utf8').digest('hex');
}
