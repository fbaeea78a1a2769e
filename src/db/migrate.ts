import { Migrator, type Kysely, type MigrationProvider } from 'kysely';
import { MIGRATIONS } from './migrations/index.js';

/**
 * Applies pending migrations. Kysely's migrator takes a lock (a row lock on PostgreSQL), so two
 * replicas starting at once apply each migration exactly once.
 */
export async function migrateToLatest(db: Kysely<any>): Promise<string[]> {
  const provider: MigrationProvider = { getMigrations: async () => MIGRATIONS };
  const migrator = new Migrator({ db, provider });
  const { error, results } = await migrator.migrateToLatest();
  if (error) {
    const failed = results?.find((r) => r.status === 'Error')?.migrationName ?? 'unknown';
    throw new Error(`migration ${failed} failed: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
  }
  return (results ?? []).filter((r) => r.status === 'Success').map((r) => r.migrationName);
}
