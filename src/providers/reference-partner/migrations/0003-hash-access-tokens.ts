import { createHash } from 'node:crypto';
import type { Kysely } from 'kysely';

// The partner kept each installation's access token in the clear, and anyone reading the
// database could call Stockroom back with it (issue 13, defect 5). It never reads the token
// back, so only its SHA-256 is kept: the column is renamed and every stored token replaced by its
// hash. Hashing happens here in JS (SQLite has no SHA-256), row by row; installations are few.
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('ref_partner_installations').renameColumn('access_token', 'access_token_hash').execute();
  const rows = (await db.selectFrom('ref_partner_installations').select(['id', 'access_token_hash']).execute()) as Array<{ id: string; access_token_hash: string }>;
  for (const row of rows) {
    const hash = createHash('sha256').update(row.access_token_hash, 'utf8').digest('hex');
    await db.updateTable('ref_partner_installations').set({ access_token_hash: hash }).where('id', '=', row.id).execute();
  }
}

// The tokens themselves are gone; only the column's name comes back.
export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('ref_partner_installations').renameColumn('access_token_hash', 'access_token').execute();
}
