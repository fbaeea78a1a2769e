import type { Kysely } from 'kysely';

/**
 * Issue 13 §3 and §4. A stored answer is replayed only to the token that made the request, so the
 * key remembers that token; and answers are now stored sealed, because some carry a freshly minted
 * bearer token.
 *
 * Rows written before this migration have no token and a plaintext answer. Their answers are
 * wiped here, so no secret stays readable for the rest of their 24 hours; the rows themselves stay,
 * and a retry with their key is refused (422, no token matches) instead of running a second time.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('idempotency_keys').addColumn('token_id', 'text').execute();
  await db.updateTable('idempotency_keys').set({ response_body: null, response_headers: null }).execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  // Sealed answers mean nothing to the older code, which would replay them as they are.
  await db.deleteFrom('idempotency_keys').execute();
  await db.schema.alterTable('idempotency_keys').dropColumn('token_id').execute();
}
