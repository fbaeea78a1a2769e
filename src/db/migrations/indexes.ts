import { sql, type CreateIndexBuilder, type Kysely } from 'kysely';

/**
 * A unique index over the rows not soft-deleted (`where deleted_at is null`): what lets the
 * database settle races between replicas over a name or key among the live rows. Returned unrun,
 * so a caller can narrow it further before `execute()`.
 *
 * Shipped migrations use it: changing it changes old migrations' DDL, which
 * test/db/schema-snapshot.test.ts refuses.
 */
export function uniqueAmongLiveRows(db: Kysely<any>, name: string, table: string, columns: string[]): CreateIndexBuilder<any> {
  return db.schema.createIndex(name).on(table).columns(columns).unique().where(sql.ref('deleted_at'), 'is', null);
}
