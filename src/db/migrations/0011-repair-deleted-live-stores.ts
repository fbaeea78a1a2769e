import { sql, type Kysely } from 'kysely';

// Before uninstalls were ordered against creates (docs/uninstall-and-creates.md), a create that
// finished after a cascade uninstall turned its row back to `live` although the uninstall had
// set its `deleted_at`: a store whose resource was gone, still read, connected and pulled. No such
// row can be made any more (`markStoreLive` needs a ready installation); this turns the ones an
// older version left into what a finished delete leaves, so every read can rely on `lifecycle`
// alone: `deleted`, connections gone, sealed secret values wiped.
export async function up(db: Kysely<any>): Promise<void> {
  const leftLive = sql`deleted_at IS NOT NULL AND lifecycle <> 'deleted'`;
  await sql`DELETE FROM store_connections WHERE store_id IN (SELECT id FROM stores WHERE ${leftLive})`.execute(db);
  await sql`UPDATE stores SET lifecycle = 'deleted', status = 'uninstalled', secrets_sealed = NULL WHERE ${leftLive}`.execute(db);
}

export async function down(): Promise<void> {
  // A repair of data: nothing to undo.
}
