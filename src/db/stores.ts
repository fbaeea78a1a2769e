import type { Kysely, Selectable } from 'kysely';
import type { BillingPlan } from '../domain/billing-plan-types.js';
import type { Metadata } from '../domain/metadata.js';
import type { PaymentPlan } from '../domain/payment.js';
import type { StoreStatus } from '../domain/store-status.js';
import type { Notification, SecretInfo, Store, StoreLifecycle } from '../domain/stores.js';
import type { Dialect } from './database.js';
import { preparedQuery } from './prepared-queries.js';
import type { DB, StoresTable } from './schema.js';

/**
 * The columns a `Store` is made of: reads that only make stores select these, not the sealed
 * secrets, failure and recovery columns a `select *` also reads (on SQLite each column read costs
 * as much as a row's index lookup; issue 17).
 */
export const STORE_COLUMNS = [
  'id',
  'team_id',
  'installation_id',
  'integration_id',
  'product_id',
  'name',
  'external_id',
  'source',
  'created_by',
  'billing_plan',
  'metadata',
  'protocol_settings',
  'lifecycle',
  'status',
  'external_resource_id',
  'external_resource_status',
  'notification',
  'ownership',
  'secret_meta',
  'provision_key',
  'payment',
  'created_at',
  'updated_at',
  'deleted_at',
] as const satisfies ReadonlyArray<keyof StoresTable>;

export type StoreRow = Pick<Selectable<StoresTable>, (typeof STORE_COLUMNS)[number]>;

export function storeFromRow(row: StoreRow): Store {
  return {
    id: row.id,
    teamId: row.team_id,
    installationId: row.installation_id,
    integrationId: row.integration_id,
    productId: row.product_id,
    name: row.name,
    externalId: row.external_id,
    source: row.source,
    createdBy: row.created_by,
    billingPlan: JSON.parse(row.billing_plan) as BillingPlan,
    metadata: JSON.parse(row.metadata) as Metadata,
    protocolSettings: row.protocol_settings ? (JSON.parse(row.protocol_settings) as Record<string, unknown>) : null,
    lifecycle: row.lifecycle as StoreLifecycle,
    status: row.status as StoreStatus | null,
    externalResourceId: row.external_resource_id,
    externalResourceStatus: row.external_resource_status,
    notification: row.notification ? (JSON.parse(row.notification) as Notification) : null,
    ownership: (row.ownership ?? null) as Store['ownership'],
    secrets: JSON.parse(row.secret_meta) as SecretInfo[],
    provisionKey: row.provision_key,
    payment: row.payment ? (JSON.parse(row.payment) as PaymentPlan) : null,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
    deletedAt: row.deleted_at,
  };
}

/** Writes the store in `provisioning`, before the provider is called (issue 4 §2). */
export async function insertProvisioningStore(db: Kysely<DB>, store: Store): Promise<void> {
  await insertStore.affected(db, storeRowValues(store));
}

// The columns are the keys of `storeRowValues`, in its order (prepared-queries.ts).
const insertStore = preparedQuery<ReturnType<typeof storeRowValues>>((db: Kysely<DB>, p) => db.insertInto('stores').values(p));

/** The row of a store, its sealed secrets and payment failure aside (written by whoever has them). */
export function storeRowValues(store: Store) {
  return {
    id: store.id,
    team_id: store.teamId,
    installation_id: store.installationId,
    integration_id: store.integrationId,
    product_id: store.productId,
    name: store.name,
    external_id: store.externalId,
    source: store.source,
    created_by: store.createdBy,
    billing_plan_id: store.billingPlan.id,
    billing_plan: JSON.stringify(store.billingPlan),
    metadata: JSON.stringify(store.metadata),
    protocol_settings: store.protocolSettings ? JSON.stringify(store.protocolSettings) : null,
    lifecycle: store.lifecycle,
    status: store.status,
    external_resource_id: store.externalResourceId,
    external_resource_status: store.externalResourceStatus,
    notification: store.notification ? JSON.stringify(store.notification) : null,
    secrets_sealed: null,
    secret_meta: JSON.stringify(store.secrets),
    provision_key: store.provisionKey,
    payment: store.payment ? JSON.stringify(store.payment) : null,
    failure: null,
    created_at: store.createdAt,
    updated_at: store.updatedAt,
    deleted_at: null,
  };
}

/** What the provider answered, recorded when the store goes live. */
export interface StoreProvisioned {
  readonly status: StoreStatus;
  readonly externalResourceId: string;
  readonly externalResourceStatus: string | null;
  readonly notification: Notification | null;
  readonly secrets: readonly SecretInfo[];
  readonly secretsSealed: string;
  readonly now: number;
}

/**
 * Moves a store from `provisioning` to `live`, only while its installation is `ready` and not
 * deleted, in one statement; false when it did not (the installation is being or was uninstalled,
 * or the row left `provisioning`). This is the create's half of the uninstall ordering
 * (docs/uninstall-and-creates.md): an uninstall first moves the installation to `uninstalling`.
 * On PostgreSQL the installation row is read FOR SHARE, so the uninstall's UPDATE of it and this
 * UPDATE wait for each other: whichever commits first, the other sees it (in READ COMMITTED a
 * plain EXISTS could read `ready` while the uninstall commits, and the store would go live under
 * an installation already gone). On SQLite one statement is atomic against every writer. The
 * statement is prepared per dialect (`prepared-queries.ts`), which picks the FOR SHARE by itself.
 */
export async function markStoreLive(db: Kysely<DB>, _dialect: Dialect, id: string, p: StoreProvisioned): Promise<boolean> {
  const updated = await markLive.affected(db, {
    id,
    status: p.status,
    externalResourceId: p.externalResourceId,
    externalResourceStatus: p.externalResourceStatus,
    notification: p.notification ? JSON.stringify(p.notification) : null,
    secretMeta: JSON.stringify(p.secrets),
    secretsSealed: p.secretsSealed,
    now: p.now,
  });
  return updated === 1;
}

const markLive = preparedQuery<{
  id: string;
  status: StoreStatus;
  externalResourceId: string;
  externalResourceStatus: string | null;
  notification: string | null;
  secretMeta: string;
  secretsSealed: string;
  now: number;
}>((db: Kysely<DB>, p, dialect) =>
  db
    .updateTable('stores')
    .set({
      lifecycle: 'live',
      status: p.status,
      external_resource_id: p.externalResourceId,
      external_resource_status: p.externalResourceStatus,
      notification: p.notification,
      secret_meta: p.secretMeta,
      secrets_sealed: p.secretsSealed,
      updated_at: p.now,
    })
    .where('id', '=', p.id)
    .where('lifecycle', '=', 'provisioning')
    .where((eb) => {
      const installation = eb
        .selectFrom('installations')
        .select('installations.id')
        .whereRef('installations.id', '=', 'stores.installation_id')
        .where('installations.status', '=', 'ready')
        .where('installations.deleted_at', 'is', null);
      return eb.exists(dialect === 'postgres' ? installation.forShare() : installation);
    }),
);

/** Records the provider's id as soon as it is known, so recovery can undo it after a crash. */
export async function setExternalResourceId(db: Kysely<DB>, id: string, externalResourceId: string, now: number): Promise<void> {
  await setExternalId.affected(db, { id, externalResourceId, now });
}

const setExternalId = preparedQuery<{ id: string; externalResourceId: string; now: number }>((db: Kysely<DB>, p) =>
  db.updateTable('stores').set({ external_resource_id: p.externalResourceId, updated_at: p.now }).where('id', '=', p.id),
);

/** A store that never went live leaves no row (docs/rules.md §1: a failed create leaves nothing). */
export async function deleteProvisioningStore(db: Kysely<DB>, id: string): Promise<void> {
  await deleteProvisioning.affected(db, { id });
}

const deleteProvisioning = preparedQuery<{ id: string }>((db: Kysely<DB>, p) => db.deleteFrom('stores').where('id', '=', p.id).where('lifecycle', '=', 'provisioning'));

export async function findLiveStoreByName(db: Kysely<DB>, installationId: string, name: string): Promise<Store | undefined> {
  const row = await liveStoreByName.first(db, { installationId, name });
  return row ? storeFromRow(row) : undefined;
}

const liveStoreByName = preparedQuery<{ installationId: string; name: string }, Selectable<StoresTable>>((db: Kysely<DB>, p) =>
  db.selectFrom('stores').selectAll().where('installation_id', '=', p.installationId).where('name', '=', p.name).where('deleted_at', 'is', null),
);

export async function findLiveStoreByExternalId(db: Kysely<DB>, installationId: string, externalId: string): Promise<Store | undefined> {
  const row = await liveStoreByExternalId.first(db, { installationId, externalId });
  return row ? storeFromRow(row) : undefined;
}

const liveStoreByExternalId = preparedQuery<{ installationId: string; externalId: string }, Selectable<StoresTable>>((db: Kysely<DB>, p) =>
  db.selectFrom('stores').selectAll().where('installation_id', '=', p.installationId).where('external_id', '=', p.externalId).where('deleted_at', 'is', null),
);

/**
 * Writes what the provider reports of a live, not deleted store. With `ifUpdatedAt`, only when the
 * row was not written since that time (an answer read before a newer write must not overwrite
 * it). True when the row was written.
 */
export async function setLiveStoreResourceStatus(
  db: Kysely<DB>,
  id: string,
  fields: { readonly status: string | null; readonly externalResourceStatus: string | null; readonly notification: string | null; readonly updatedAt: number },
  ifUpdatedAt?: number,
): Promise<boolean> {
  let query = db
    .updateTable('stores')
    .set({ status: fields.status, external_resource_status: fields.externalResourceStatus, notification: fields.notification, updated_at: fields.updatedAt })
    .where('id', '=', id)
    .where('lifecycle', '=', 'live')
    .where('deleted_at', 'is', null);
  if (ifUpdatedAt !== undefined) query = query.where('updated_at', '=', ifUpdatedAt);
  const result = await query.executeTakeFirst();
  return Number(result.numUpdatedRows) === 1;
}

/** Sets a live store's `notification` (JSON text) alone; false when the store is gone. */
export async function setLiveStoreNotification(db: Kysely<DB>, id: string, notification: string, now: number): Promise<boolean> {
  const result = await db.updateTable('stores').set({ notification, updated_at: now }).where('id', '=', id).where('lifecycle', '=', 'live').where('deleted_at', 'is', null).executeTakeFirst();
  return Number(result.numUpdatedRows) === 1;
}
