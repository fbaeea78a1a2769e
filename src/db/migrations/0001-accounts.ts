import type { Kysely } from 'kysely';
import { createdAt, createdAndUpdatedAt, idPrimaryKey } from './columns.js';

// Migrations take Kysely<any> and import no app code but ./columns.ts (frozen too, guarded by
// test/db/schema-snapshot.test.ts), so they stay frozen in time.
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('users')
    .$call(idPrimaryKey)
    .addColumn('email', 'text', (c) => c.notNull().unique())
    .addColumn('name', 'text')
    .addColumn('username', 'text', (c) => c.notNull().unique())
    .addColumn('default_team_id', 'text')
    .addColumn('is_admin', 'integer', (c) => c.notNull().defaultTo(0))
    .$call(createdAndUpdatedAt)
    .execute();

  await db.schema
    .createTable('teams')
    .$call(idPrimaryKey)
    .addColumn('slug', 'text', (c) => c.notNull().unique())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('creator_id', 'text', (c) => c.notNull().references('users.id'))
    .addColumn('billing_state', 'text', (c) => c.notNull().defaultTo('active'))
    .$call(createdAndUpdatedAt)
    .execute();

  await db.schema
    .createTable('memberships')
    .addColumn('team_id', 'text', (c) => c.notNull().references('teams.id').onDelete('cascade'))
    .addColumn('user_id', 'text', (c) => c.notNull().references('users.id').onDelete('cascade'))
    .addColumn('role', 'text', (c) => c.notNull())
    .$call(createdAt)
    .addPrimaryKeyConstraint('memberships_pk', ['team_id', 'user_id'])
    .execute();
  await db.schema.createIndex('memberships_user_idx').on('memberships').columns(['user_id', 'created_at']).execute();

  await db.schema
    .createTable('tokens')
    .$call(idPrimaryKey)
    .addColumn('user_id', 'text', (c) => c.notNull().references('users.id').onDelete('cascade'))
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('token_hash', 'text', (c) => c.notNull().unique())
    .addColumn('team_id', 'text', (c) => c.references('teams.id').onDelete('cascade'))
    .addColumn('origin', 'text', (c) => c.notNull())
    .addColumn('expires_at', 'bigint')
    .addColumn('revoked_at', 'bigint')
    .$call(createdAt)
    .addColumn('active_at', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('tokens_user_idx').on('tokens').columns(['user_id', 'created_at']).execute();

  await db.schema
    .createTable('instance_settings')
    .addColumn('key', 'text', (c) => c.primaryKey())
    .addColumn('value', 'text', (c) => c.notNull())
    .$call(createdAt)
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  for (const table of ['instance_settings', 'tokens', 'memberships', 'teams', 'users']) {
    await db.schema.dropTable(table).execute();
  }
}
