import { Migrator, type Kysely, type Migration } from 'kysely';
import * as m0001 from './migrations/0001-reference-partner.js';
import * as m0002 from './migrations/0002-idempotency-expiry-index.js';
import * as m0003 from './migrations/0003-hash-access-tokens.js';

/** Listed by hand so the set is fixed at build time and works under tsx and compiled JS alike. */
const MIGRATIONS: Record<string, Migration> = {
  '0001-reference-partner': m0001,
  '0002-idempotency-expiry-index': m0002,
  '0003-hash-access-tokens': m0003,
};

/**
 * Creates or upgrades the reference partner's tables. Its migration bookkeeping has its own
 * tables, so it runs beside Stockroom's migrations in the same database without either seeing
 * the other's history. Kysely's lock makes concurrent replicas apply each migration once.
 */
export async function migrateReferencePartner(db: Kysely<any>): Promise<void> {
  const migrator = new Migrator({
    db,
    provider: { getMigrations: async () => MIGRATIONS },
    migrationTableName: 'ref_partner_migration',
    migrationLockTableName: 'ref_partner_migration_lock',
  });
  const { error, results } = await migrator.migrateToLatest();
  if (error) {
    const failed = results?.find((r) => r.status === 'Error')?.migrationName ?? 'unknown';
    const reason = error instanceof Error ? error.message : String(error);
    throw new Error(`reference partner migration ${failed} failed: ${reason}`, { cause: error });
  }
}
