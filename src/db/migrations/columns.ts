import type { CreateTableBuilder } from 'kysely';

/**
 * Column definitions that many tables repeat, for `createTable(…).$call(…)`. Each adds exactly the
 * columns its name says, in the order given, so the DDL is what the inline `addColumn` calls gave.
 *
 * Shipped migrations use these: changing what one adds changes old migrations' DDL, which
 * test/db/schema-snapshot.test.ts refuses. A different column belongs in a new helper.
 */
type Table = CreateTableBuilder<any, any>;

/** `id text primary key`: the key of every entity table. */
export function idPrimaryKey(table: Table): Table {
  return table.addColumn('id', 'text', (c) => c.primaryKey());
}

/** Each name as `text not null`. */
export function requiredText(...names: string[]): (table: Table) => Table {
  return (table) => names.reduce((t, name) => t.addColumn(name, 'text', (c) => c.notNull()), table);
}

/** Each name as nullable `text`. */
export function optionalText(...names: string[]): (table: Table) => Table {
  return (table) => names.reduce((t, name) => t.addColumn(name, 'text'), table);
}

/** `created_at bigint not null` (epoch ms). */
export function createdAt(table: Table): Table {
  return table.addColumn('created_at', 'bigint', (c) => c.notNull());
}

/** `created_at` and `updated_at`, both `bigint not null` (epoch ms). */
export function createdAndUpdatedAt(table: Table): Table {
  return createdAt(table).addColumn('updated_at', 'bigint', (c) => c.notNull());
}

/** `created_at`, `updated_at` and a nullable `deleted_at` (epoch ms): a soft-deleted row's times. */
export function createdUpdatedAndDeletedAt(table: Table): Table {
  return createdAndUpdatedAt(table).addColumn('deleted_at', 'bigint');
}

/** `team_id text not null references teams(id)`: the owner of a team's row. */
export function teamIdReference(table: Table): Table {
  return table.addColumn('team_id', 'text', (c) => c.notNull().references('teams.id'));
}
