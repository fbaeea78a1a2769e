import { randomBytes } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { DB } from './schema.js';

const KEY = 'secret_box_salt';

/**
 * The scrypt salt a passphrase key seals with, one per database: the first replica to start
 * stores a random one, every later start reads it, so all values share one salt and a process
 * runs the (deliberately slow) KDF once. Not a secret; each sealed value carries its salt anyway.
 */
export async function ensureSecretBoxSalt(db: Kysely<DB>, now: number): Promise<Buffer> {
  await db
    .insertInto('instance_settings')
    .values({ key: KEY, value: randomBytes(16).toString('base64url'), created_at: now })
    .onConflict((oc) => oc.column('key').doNothing())
    .execute();
  const row = await db.selectFrom('instance_settings').select('value').where('key', '=', KEY).executeTakeFirstOrThrow();
  return Buffer.from(row.value, 'base64url');
}
