import type { Kysely } from 'kysely';
import { createdAt, requiredText } from './columns.js';

/**
 * Idempotency keys of Stockroom's own API (docs/rules.md §5). A row is the claim of a key: inserted
 * when the first request starts (the primary key decides, across replicas, who runs it), renewed
 * while it runs, and completed with the answer that later requests with the key replay.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('idempotency_keys')
    .addColumn('user_id', 'text', (c) => c.notNull())
    /** The team the request acted for, or '' for user-level routes (no team). */
    .$call(requiredText('team_scope', 'key'))
    /** SHA-256 of method, path, query and body: the same key with another request is refused. */
    .$call(requiredText('fingerprint', 'method', 'path'))
    /** Who runs the request now; a takeover after a crash changes it, so a late answer is not stored. */
    .addColumn('claim_id', 'text', (c) => c.notNull())
    /** The claim's last heartbeat (epoch ms); a claim silent for longer than the lease may be taken over. */
    .addColumn('locked_at', 'bigint', (c) => c.notNull())
    /** Null while the first request runs. */
    .addColumn('status_code', 'integer')
    .addColumn('response_headers', 'text')
    /** The body exactly as it was sent. */
    .addColumn('response_body', 'text')
    .$call(createdAt)
    .addColumn('completed_at', 'bigint')
    .addPrimaryKeyConstraint('idempotency_keys_pk', ['user_id', 'team_scope', 'key'])
    .execute();
  await db.schema.createIndex('idempotency_keys_created_idx').on('idempotency_keys').columns(['created_at']).execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('idempotency_keys').execute();
}
