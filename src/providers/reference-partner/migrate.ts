import type { Kysely, Migration } from 'kysely';
import { migratePartnerTables } from '../partner-kit/migrate.js';
import * as m0001 from './migrations/0001-reference-partner.js';
import * as m0002 from './migrations/0002-idempotency-expiry-index.js';
import * as m0003 from './migrations/0003-hash-access-tokens.js';
import * as m0004 from './migrations/0004-credit-purchases.js';
import * as m0005 from './migrations/0005-partner-calls-back.js';
import * as m0006 from './migrations/0006-secret-pushes.js';
import * as m0007 from './migrations/0007-installation-plans.js';

/** Listed by hand so the set is fixed at build time and works under tsx and compiled JS alike. */
const MIGRATIONS: Record<string, Migration> = {
  '0001-reference-partner': m0001,
  '0002-idempotency-expiry-index': m0002,
  '0003-hash-access-tokens': m0003,
  '0004-credit-purchases': m0004,
  '0005-partner-calls-back': m0005,
  '0006-secret-pushes': m0006,
  '0007-installation-plans': m0007,
};

/** Creates or upgrades the reference partner's `ref_partner_` tables. */
export async function migrateReferencePartner(db: Kysely<any>): Promise<void> {
  await migratePartnerTables(db, 'ref_partner_', 'reference partner', MIGRATIONS);
}
