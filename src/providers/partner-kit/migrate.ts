import { Migrator, type Kysely, type Migration } from 'kysely';
import { realResourcesMigration } from './migrations/0001-real-resources.js';

/**
 * Creates or upgrades one provider's bookkeeping tables (`<prefix>installations`, …). Its
 * migration history lives in its own tables, so it runs beside Stockroom's and the reference
 * partner's migrations in the same database; Kysely's lock makes concurrent replicas apply each
 * migration once.
 */
export async function migratePartnerKit(db: Kysely<any>, prefix: string): Promise<void> {
  const migrations: Record<string, Migration> = {
    '0001-real-resources': realResourcesMigration(prefix),
  };
  const migrator = new Migrator({
    db,
    provider: { getMigrations: async () => migrations },
    migrationTableName: `${prefix}migration`,
    migrationLockTableName: `${prefix}migration_lock`,
  });
  const { error, results } = await migrator.migrateToLatest();
  if (error) {
    const failed = results?.find((r) => r.status === 'Error')?.migrationName ?? 'unknown';
    const reason = error instanceof Error ? error.message : String(error);
    throw new Error(`${prefix} migration ${failed} failed: ${reason}`, { cause: error });
  }
}
