import type { Kysely, Selectable } from 'kysely';
import type { StoreConnection } from '../domain/store-connections.js';
import type { SecretInfo } from '../domain/stores.js';
import type { Dialect } from './database.js';
import type { DB, StoreConnectionsTable } from './schema.js';
import { VISIBLE_LIFECYCLES } from './store-reads.js';
import { projectConnectionEvent } from '../domain/webhook-events.js';
import { enqueueWebhookEvent } from './webhook-outbox.js';
import { parseAllowedProjects } from './installation-updates.js';
import { lockedForShare } from './row-locks.js';

/** A connection as its row stores it (environments as JSON, `sensitive` as 0/1). */
export function connectionFromRow(row: Selectable<StoreConnectionsTable>): StoreConnection {
  return {
    id: row.id,
    storeId: row.store_id,
    projectId: row.project_id,
    teamId: row.team_id,
    environments: JSON.parse(row.environments) as string[],
    envVarPrefix: row.env_var_prefix,
    sensitive: row.sensitive === 1,
    createdAt: row.created_at,
  };
}

/**
 * Connects a store to a project, or updates the connection when the pair is already connected
 * (one connection per store and project, enforced by `store_connections_store_project`), only
 * while the store is live and the project exists; otherwise says which of them is gone. The
 * connection's id is the first connection's on an update.
 *
 * A connect racing a store delete or a cascade uninstall must not leave a connection behind the
 * delete, nor answer 200 for a store that is gone: on PostgreSQL the store's row is read FOR SHARE
 * first, so the delete's or uninstall's UPDATE of it waits for this to commit (and then removes
 * the connection with the others) or this waits for it (and then finds the store gone). The
 * project's row is read FOR SHARE likewise, against a project delete (`deleteProjectOfTeam` locks
 * it FOR UPDATE first): without it the connection's foreign key refused one of the two with a 500.
 * SQLite serializes write transactions. A project the installation is not allowed to serve
 * (docs/installation-updates.md) is `notAllowed`, with the projects it may serve.
 */
export async function upsertConnectionOfLiveStore(
  db: Kysely<DB>,
  dialect: Dialect,
  connection: StoreConnection,
  webhook?: ConnectionWebhook,
): Promise<{ readonly connection: StoreConnection } | { readonly gone: 'store' | 'project' } | { readonly notAllowed: readonly string[] }> {
  const changes = { environments: JSON.stringify(connection.environments), env_var_prefix: connection.envVarPrefix, sensitive: connection.sensitive ? 1 : 0 };
  return db.transaction().execute(async (trx) => {
    let live = trx.selectFrom('stores').select('installation_id').where('id', '=', connection.storeId).where('lifecycle', '=', 'live');
    if (dialect === 'postgres') live = live.forShare();
    const store = await live.executeTakeFirst();
    if (!store) return { gone: 'store' as const };
    // The projects the installation is limited to (`vercel integration update --projects`), read
    // FOR SHARE: a narrowing (`setAllowedProjects`) waits for this connect, or this one sees it.
    const allowed = parseAllowedProjects((await lockedForShare(trx.selectFrom('installations').select('allowed_projects').where('id', '=', store.installation_id), dialect).executeTakeFirst())?.allowed_projects ?? null);
    if (allowed !== null && !allowed.includes(connection.projectId)) return { notAllowed: allowed };
    let project = trx.selectFrom('projects').select('id').where('id', '=', connection.projectId);
    if (dialect === 'postgres') project = project.forShare();
    if (!(await project.executeTakeFirst())) return { gone: 'project' as const };
    const before = await trx.selectFrom('store_connections').select('id').where('store_id', '=', connection.storeId).where('project_id', '=', connection.projectId).executeTakeFirst();
    const row = await trx
      .insertInto('store_connections')
      .values({ id: connection.id, store_id: connection.storeId, project_id: connection.projectId, team_id: connection.teamId, created_at: connection.createdAt, ...changes })
      .onConflict((oc) => oc.columns(['store_id', 'project_id']).doUpdateSet(changes))
      .returningAll()
      .executeTakeFirstOrThrow();
    const written = connectionFromRow(row);
    // A new connection is told to the partner with it; a changed one (environments, prefix) is not.
    if (webhook && !before) await enqueueConnectionEvent(trx, true, written, webhook);
    return { connection: written };
  });
}

/**
 * What a connection's webhook (`integration-resource.project-connected|disconnected`) needs
 * beyond the connection: the store's installation and resource, and who acted.
 */
export interface ConnectionWebhook {
  readonly installationId: string;
  readonly integrationId: string;
  readonly externalResourceId: string | null;
  readonly userId: string;
  /** The event's time. */
  readonly now: number;
}

/** Puts a connection's webhook in the outbox, in the transaction `trx` that made the change. */
async function enqueueConnectionEvent(trx: Kysely<DB>, connected: boolean, connection: StoreConnection, webhook: ConnectionWebhook): Promise<void> {
  const event = projectConnectionEvent(connected, {
    installationId: webhook.installationId,
    teamId: connection.teamId,
    userId: webhook.userId,
    resource: { storeId: connection.storeId, externalResourceId: webhook.externalResourceId },
    projectId: connection.projectId,
    targets: connection.environments,
  });
  await enqueueWebhookEvent(trx, { ...event, installationId: webhook.installationId, teamId: connection.teamId, integrationId: webhook.integrationId, now: webhook.now });
}

/**
 * Removes one connection of the store; false when the store has no such connection. With
 * `webhook`, the partner is told in the same transaction, at `now`.
 */
export async function deleteConnection(db: Kysely<DB>, storeId: string, connectionId: string, webhook?: ConnectionWebhook): Promise<boolean> {
  return db.transaction().execute(async (trx) => {
    const deleted = await trx.deleteFrom('store_connections').where('store_id', '=', storeId).where('id', '=', connectionId).returningAll().execute();
    if (webhook) for (const row of deleted) await enqueueConnectionEvent(trx, false, connectionFromRow(row), webhook);
    return deleted.length > 0;
  });
}

/**
 * Tells the partners of every store connected to `projectId` that it is disconnected, in `trx`,
 * the transaction that deletes the project (and with it the connections).
 */
export async function enqueueDisconnectsOfProject(trx: Kysely<DB>, projectId: string, actor: { readonly userId: string; readonly now: number }): Promise<void> {
  const rows = await trx
    .selectFrom('store_connections')
    .innerJoin('stores', 'stores.id', 'store_connections.store_id')
    .selectAll('store_connections')
    .select(['stores.installation_id', 'stores.integration_id', 'stores.external_resource_id'])
    .where('store_connections.project_id', '=', projectId)
    .orderBy('store_connections.created_at')
    .orderBy('store_connections.id')
    .execute();
  for (const row of rows) {
    const webhook = { installationId: row.installation_id, integrationId: row.integration_id, externalResourceId: row.external_resource_id, ...actor };
    await enqueueConnectionEvent(trx, false, connectionFromRow(row), webhook);
  }
}

/** Removes every connection of the store, each told to the partner with `webhook`. */
export async function deleteConnectionsOfStore(db: Kysely<DB>, storeId: string, webhook?: ConnectionWebhook): Promise<void> {
  await db.transaction().execute(async (trx) => {
    const deleted = await trx.deleteFrom('store_connections').where('store_id', '=', storeId).returningAll().execute();
    deleted.sort((a, b) => a.created_at - b.created_at || a.id.localeCompare(b.id));
    if (webhook) for (const row of deleted) await enqueueConnectionEvent(trx, false, connectionFromRow(row), webhook);
  });
}

/** A connection of a project with what its store contributes: secret names, and the sealed values. */
export interface ProjectConnectionRow {
  readonly connection: StoreConnection;
  readonly installationId: string;
  readonly integrationId: string;
  readonly productId: string;
  readonly secrets: readonly SecretInfo[];
  /** The store's sealed `[{name, value}]`; null once wiped. Open only to answer a value read. */
  readonly secretsSealed: string | null;
  readonly storeUpdatedAt: number;
}

/** Every connection of the project to a visible store, with its store's secrets, in one query. */
export async function listProjectConnections(db: Kysely<DB>, projectId: string): Promise<ProjectConnectionRow[]> {
  const rows = await db
    .selectFrom('store_connections')
    .innerJoin('stores', 'stores.id', 'store_connections.store_id')
    .selectAll('store_connections')
    .select(['stores.installation_id', 'stores.integration_id', 'stores.product_id', 'stores.secret_meta', 'stores.secrets_sealed', 'stores.updated_at as store_updated_at'])
    .where('store_connections.project_id', '=', projectId)
    .where('stores.lifecycle', 'in', VISIBLE_LIFECYCLES)
    .orderBy('store_connections.created_at', 'asc')
    .orderBy('store_connections.id', 'asc')
    .execute();
  return rows.map((row) => ({
    connection: connectionFromRow(row),
    installationId: row.installation_id,
    integrationId: row.integration_id,
    productId: row.product_id,
    secrets: JSON.parse(row.secret_meta) as SecretInfo[],
    secretsSealed: row.secrets_sealed,
    storeUpdatedAt: row.store_updated_at,
  }));
}
