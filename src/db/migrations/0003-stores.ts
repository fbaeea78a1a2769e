import { sql, type Kysely } from 'kysely';
import { createdAt, createdAndUpdatedAt, createdUpdatedAndDeletedAt, idPrimaryKey, optionalText, requiredText, teamIdReference } from './columns.js';
import { uniqueAmongLiveRows } from './indexes.js';

// Stores, projects and their connections (issue 4).
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('stores')
    .$call(idPrimaryKey)
    .$call(teamIdReference)
    .addColumn('installation_id', 'text', (c) => c.notNull().references('installations.id'))
    .$call(requiredText('integration_id', 'product_id', 'name'))
    .addColumn('external_id', 'text')
    .$call(requiredText('source', 'created_by'))
    /** The chosen plan, in full, as the provider described it (JSON). */
    .$call(requiredText('billing_plan_id', 'billing_plan', 'metadata'))
    .addColumn('protocol_settings', 'text')
    /**
     * Stockroom's lifecycle of the row: provisioning (written before the provider is called),
     * live, deleting, deleted, failed. Recovery finishes or undoes rows left in provisioning.
     */
    .addColumn('lifecycle', 'text', (c) => c.notNull())
    /** Vercel's store status (available, initializing, error…), null while provisioning. */
    .$call(optionalText('status', 'external_resource_id', 'external_resource_status', 'notification'))
    /** Secret values, sealed (AES-256-GCM) as one JSON array; names and lengths are in secret_meta. */
    .addColumn('secrets_sealed', 'text')
    .addColumn('secret_meta', 'text', (c) => c.notNull())
    /** The Idempotency-Key sent to the provider for this store's provisioning, reused on retry. */
    .addColumn('provision_key', 'text', (c) => c.notNull())
    /** The payment plan decided for this store (JSON), so recovery can refund exactly. */
    .$call(optionalText('payment', 'failure'))
    .$call(createdUpdatedAndDeletedAt)
    .execute();
  // A name is unique among the live stores of one installation, and so is an externalId
  // (docs/rules.md §4): partial unique indexes let the database settle races between replicas.
  await uniqueAmongLiveRows(db, 'stores_installation_name_live', 'stores', ['installation_id', 'name']).execute();
  await uniqueAmongLiveRows(db, 'stores_installation_external_id_live', 'stores', ['installation_id', 'external_id'])
    .where(sql.ref('external_id'), 'is not', null)
    .execute();
  await db.schema.createIndex('stores_team_created_idx').on('stores').columns(['team_id', 'created_at', 'id']).execute();
  await db.schema.createIndex('stores_lifecycle_idx').on('stores').columns(['lifecycle', 'updated_at']).execute();

  await db.schema
    .createTable('projects')
    .$call(idPrimaryKey)
    .$call(teamIdReference)
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('framework', 'text')
    .$call(createdAndUpdatedAt)
    .addUniqueConstraint('projects_team_name', ['team_id', 'name'])
    .execute();

  await db.schema
    .createTable('store_connections')
    .$call(idPrimaryKey)
    .addColumn('store_id', 'text', (c) => c.notNull().references('stores.id'))
    .addColumn('project_id', 'text', (c) => c.notNull().references('projects.id'))
    .addColumn('team_id', 'text', (c) => c.notNull())
    /** JSON array of environments (production, preview, development or custom ids). */
    .addColumn('environments', 'text', (c) => c.notNull())
    .addColumn('env_var_prefix', 'text')
    .addColumn('sensitive', 'integer', (c) => c.notNull().defaultTo(0))
    .$call(createdAt)
    .addUniqueConstraint('store_connections_store_project', ['store_id', 'project_id'])
    .execute();
  await db.schema.createIndex('store_connections_project_idx').on('store_connections').columns(['project_id']).execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  for (const table of ['store_connections', 'projects', 'stores']) await db.schema.dropTable(table).execute();
}
