import type { Kysely } from 'kysely';

/**
 * Crash recovery of stores a dead process left in `provisioning` (issue 5 §4). Replicas claim a
 * row by a conditional UPDATE of these columns before working on it, so each row is handled by
 * one of them at a time; the claim's end doubles as the row's next try (backoff).
 */
export async function up(db: Kysely<any>): Promise<void> {
  // One column per statement: SQLite's ALTER TABLE adds a single column at a time.
  /** Epoch ms until which a replica holds the row; null when never claimed. */
  await db.schema.alterTable('stores').addColumn('recovery_claimed_until', 'bigint').execute();
  /** Claims so far; the compare-and-swap value of a claim. */
  await db.schema.alterTable('stores').addColumn('recovery_attempts', 'integer', (c) => c.notNull().defaultTo(0)).execute();
  /** Why the last attempt did not finish, for operators. */
  await db.schema.alterTable('stores').addColumn('recovery_last_error', 'text').execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  for (const column of ['recovery_last_error', 'recovery_attempts', 'recovery_claimed_until']) {
    await db.schema.alterTable('stores').dropColumn(column).execute();
  }
}
