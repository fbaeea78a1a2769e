import type { Kysely } from 'kysely';
import type { SigningKeyStore, StoredSigningKey } from '../providers/signing-keys.js';
import { isUniqueViolation } from './errors.js';
import type { DB } from './schema.js';

/** The signing keys, kept in the database so every replica signs with and publishes the same keys. */
export function createSigningKeyStore(db: Kysely<DB>): SigningKeyStore {
  return {
    async listKeys(): Promise<StoredSigningKey[]> {
      const rows = await db.selectFrom('signing_keys').selectAll().orderBy('created_at', 'desc').orderBy('kid', 'desc').execute();
      return rows.map((r) => ({ kid: r.kid, publicJwk: r.public_jwk, privateJwkSealed: r.private_jwk_sealed, createdAt: r.created_at }));
    },
    async insertKey(key: StoredSigningKey): Promise<boolean> {
      try {
        await db.insertInto('signing_keys').values({ kid: key.kid, public_jwk: key.publicJwk, private_jwk_sealed: key.privateJwkSealed, created_at: key.createdAt }).execute();
        return true;
      } catch (error) {
        if (isUniqueViolation(error)) return false;
        throw error;
      }
    },
  };
}
