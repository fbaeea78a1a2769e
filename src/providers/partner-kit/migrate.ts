import { Migrator, type Kysely, type Migration } from 'kysely';
import { realResourcesMigration } from './migrations/0001-real-resources.js';

/**
 * Applies a partner's own migrations in Stockroom's database (or its own). Its history lives in
 * `<prefix>migration` and `<prefix>migration_lock`, so it runs beside Stockroom's and the other
 * partners' migrations without either seeing the other's; Kysely's lock makes concurrent replicas
 * apply each migration once. A failure names the migration, e.g. `ref_partner_ migration 0002-… failed`.
 */
export async function migratePartnerTables(db: Kysely<any>, prefix: string, label: string, migrations: Readonly<Record<string, Migration>>): Promise<void> {
  const migrator = new Migrator({
    db,
    provider: { getMigrations: async () => ({ ...migrations }) },
    migrationTableName: `${prefix}migration`,
    migrationLockTableName: `${prefix}migration_lock`,
  });
  const { error, results } = await migrator.migrateToLatest();
  if (error) {
    const failed = results?.find((r) => r.status === 'Error')?.migrationName ?? 'unknown';
    const reason = error instanceof Error ? error.message : String(error);
    throw new Error(`${label} migration ${failed} failed: ${reason}`, { cause: error });
  }
}

/** Creates or upgrades one real-resource provider's bookkeeping tables (`<prefix>installations`, …). */
export async function migratePartnerKit(db: Kysely<any>, prefix: string): Promise<void> {
  await migratePartnerTables(db, prefix, prefix, { '0001-real-resources': realResourcesMigration(prefix) });
}
