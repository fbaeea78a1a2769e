import { createCipheriv, createDecipheriv, createHash } from 'node:crypto';
import { randomPoolBytes } from './random-text.js';

/**
 * Encrypts secrets at rest with AES-256-GCM (semantics.md §6).
 * The stored form is `v1.<iv>.<tag>.<ciphertext>`, base64url parts, so a value can live in a
 * text column on both SQLite and PostgreSQL and a future key rotation can add `v2`.
 */
export interface SecretBox {
  seal(plaintext: string): string;
  open(sealed: string): string;
}

/**
 * `key` is the configured encryption key: 32 bytes as 64 hex chars or base64, or any other
 * string, which is stretched with SHA-256 (so a passphrase works, at a passphrase's strength).
 */
export function createSecretBox(key: string): SecretBox {
  const keyBytes = deriveKey(key);
  return {
    seal(plaintext) {
      const iv = randomPoolBytes(12);
      const cipher = createCipheriv('aes-256-gcm', keyBytes, iv);
      const body = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
      return ['v1', iv.toString('base64url'), cipher.getAuthTag().toString('base64url'), body.toString('base64url')].join('.');
    },
    open(sealed) {
      const [version, iv, tag, body] = sealed.split('.');
      if (version !== 'v1' || iv === undefined || tag === undefined || body === undefined) {
        throw new Error('sealed secret has an unknown format');
      }
      const decipher = createDecipheriv('aes-256-gcm', keyBytes, Buffer.from(iv, 'base64url'));
      decipher.setAuthTag(Buffer.from(tag, 'base64url'));
      return Buffer.concat([decipher.update(Buffer.from(body, 'base64url')), decipher.final()]).toString('utf8');
    },
  };
}

function deriveKey(key: string): Buffer {
  if (/^[0-9a-fA-F]{64}$/.test(key)) return Buffer.from(key, 'hex');
  const b64 = Buffer.from(key, 'base64');
  if (b64.length === 32 && b64.toString('base64').replace(/=+$/, '') === key.replace(/=+$/, '')) return b64;
  return createHash('sha256').update(key, 'utf8').digest();
}

/** Tokens are stored only as this hash: SHA-256 is enough because tokens are 256 random bits. */
export function hashToken(token: string): string {
  return createHash('sha256').update(token, 'utf8').digest('hex');
}
