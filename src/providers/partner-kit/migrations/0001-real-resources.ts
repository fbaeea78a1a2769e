import type { Kysely, Migration } from 'kysely';

/**
 * The kit's tables under a provider's prefix. Migrations take Kysely<any> and import no app code,
 * so they stay frozen in time; only types both SQLite and PostgreSQL know are used. Index names
 * carry the prefix too, since PostgreSQL wants them unique per schema.
 */
export function realResourcesMigration(prefix: string): Migration {
  const t = (name: string) => `${prefix}${name}`;
  return {
    async up(db: Kysely<any>): Promise<void> {
      await db.schema
        .createTable(t('installations'))
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .addColumn('updated_at', 'bigint', (c) => c.notNull())
        .addColumn('deleted_at', 'bigint')
        .execute();

      await db.schema
        .createTable(t('resources'))
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('installation_id', 'text', (c) => c.notNull().references(`${t('installations')}.id`))
        .addColumn('product_id', 'text', (c) => c.notNull())
        .addColumn('name', 'text', (c) => c.notNull())
        .addColumn('metadata', 'text', (c) => c.notNull())
        .addColumn('billing_plan_id', 'text', (c) => c.notNull())
        .addColumn('external_id', 'text')
        .addColumn('handle', 'text', (c) => c.notNull().unique())
        .addColumn('state', 'text', (c) => c.notNull())
        .addColumn('idempotency_key', 'text')
        .addColumn('fingerprint', 'text')
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .addColumn('updated_at', 'bigint', (c) => c.notNull())
        .addColumn('deleted_at', 'bigint')
        .execute();
      // One resource per Idempotency-Key and installation; NULL keys never collide.
      await db.schema.createIndex(t('resources_idempotency_idx')).on(t('resources')).columns(['installation_id', 'idempotency_key']).unique().execute();
      await db.schema.createIndex(t('resources_installation_idx')).on(t('resources')).columns(['installation_id', 'state']).execute();

      await db.schema
        .createTable(t('credentials'))
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('resource_id', 'text', (c) => c.notNull().references(`${t('resources')}.id`))
        .addColumn('generation', 'integer', (c) => c.notNull())
        .addColumn('login', 'text', (c) => c.notNull())
        .addColumn('password_sealed', 'text')
        .addColumn('state', 'text', (c) => c.notNull())
        .addColumn('idempotency_key', 'text')
        .addColumn('fingerprint', 'text')
        .addColumn('revoke_at', 'bigint')
        .addColumn('revoked_at', 'bigint')
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .addColumn('updated_at', 'bigint', (c) => c.notNull())
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
