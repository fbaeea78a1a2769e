import type { Kysely, Migration } from 'kysely';
import { createdAndUpdatedAt, createdUpdatedAndDeletedAt, idPrimaryKey, optionalText, requiredText } from '../../../db/migrations/columns.js';

/**
 * The kit's tables under a provider's prefix. Migrations take Kysely<any> and import no app code
 * but the column helpers (frozen too: test/db/schema-snapshot.test.ts), so they stay frozen in time; only types both SQLite and PostgreSQL know are used. Index names
 * carry the prefix too, since PostgreSQL wants them unique per schema.
 */
export function realResourcesMigration(prefix: string): Migration {
  const t = (name: string) => `${prefix}${name}`;
  return {
    async up(db: Kysely<any>): Promise<void> {
      await db.schema
        .createTable(t('installations'))
        .$call(idPrimaryKey)
        .$call(createdUpdatedAndDeletedAt)
        .execute();

      await db.schema
        .createTable(t('resources'))
        .$call(idPrimaryKey)
        .addColumn('installation_id', 'text', (c) => c.notNull().references(`${t('installations')}.id`))
        .$call(requiredText('product_id', 'name', 'metadata', 'billing_plan_id'))
        .addColumn('external_id', 'text')
        .addColumn('handle', 'text', (c) => c.notNull().unique())
        .addColumn('state', 'text', (c) => c.notNull())
        .$call(optionalText('idempotency_key', 'fingerprint'))
        .$call(createdUpdatedAndDeletedAt)
        .execute();
      // One resource per Idempotency-Key and installation; NULL keys never collide.
      await db.schema.createIndex(t('resources_idempotency_idx')).on(t('resources')).columns(['installation_id', 'idempotency_key']).unique().execute();
      await db.schema.createIndex(t('resources_installation_idx')).on(t('resources')).columns(['installation_id', 'state']).execute();

      await db.schema
        .createTable(t('credentials'))
        .$call(idPrimaryKey)
        .addColumn('resource_id', 'text', (c) => c.notNull().references(`${t('resources')}.id`))
        .addColumn('generation', 'integer', (c) => c.notNull())
        .addColumn('login', 'text', (c) => c.notNull())
        .addColumn('password_sealed', 'text')
        .addColumn('state', 'text', (c) => c.notNull())
        .$call(optionalText('idempotency_key', 'fingerprint'))
        .addColumn('revoke_at', 'bigint')
        .addColumn('revoked_at', 'bigint')
        .$call(createdAndUpdatedAt)
        .execute();
      // Two rotations racing take different generations or one fails; a retried rotation finds its row.
      await db.schema.createIndex(t('credentials_generation_idx')).on(t('credentials')).columns(['resource_id', 'generation']).unique().execute();
      await db.schema.createIndex(t('credentials_idempotency_idx')).on(t('credentials')).columns(['resource_id', 'idempotency_key']).unique().execute();
      // The revocation job's scan: expiring credentials by due time.
      await db.schema.createIndex(t('credentials_due_idx')).on(t('credentials')).columns(['state', 'revoke_at']).execute();
    },
    async down(db: Kysely<any>): Promise<void> {
      await db.schema.dropTable(t('credentials')).execute();
      await db.schema.dropTable(t('resources')).execute();
      await db.schema.dropTable(t('installations')).execute();
    },
  };
}
