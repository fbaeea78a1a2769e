import type { Kysely, Selectable } from 'kysely';
import { preparedQuery } from '../../db/prepared-queries.js';
import type { SecretBox } from '../../crypto/secret-box.js';
import { openJson, resourceSecretsContext, sealJson } from './sealed-values.js';
import { changedResourceColumns, resourceColumns, type ResourceColumns, resourceFields, type ResourceChanges as CommonResourceChanges, type ResourceFields } from '../partner-kit/resource-columns.js';
import type { ResourceStatus } from '../partner-kit/resource-status.js';
import type { Secret } from '../partner-kit/secret.js';
import type { PartnerTables, ResourceTable } from './tables.js';

/** A resource as the partner stores it. Times are epoch milliseconds. */
export interface StoredResource extends ResourceFields {
  /** The stored status; read it through `effectiveStatus`. */
  readonly status: ResourceStatus;
  readonly readyAt: number | null;
  readonly secrets: readonly Secret[];
}

export async function insertResource(db: Kysely<PartnerTables>, box: SecretBox, resource: StoredResource): Promise<void> {
  await insertResourceRow.affected(db, {
    ...resourceColumns(resource),
    status: resource.status,
    ready_at: resource.readyAt,
    secrets: sealJson(box, resource.secrets, resourceSecretsContext(resource.id)),
    previous_secrets_expire_at: null,
  });
}

/** The columns a new resource row is written with (the push columns keep their defaults). */
type NewResourceRow = ResourceColumns & Pick<ResourceTable, 'status' | 'ready_at' | 'secrets' | 'previous_secrets_expire_at'>;
// The columns are the keys `insertResource` passes, in its order (prepared-queries.ts).
const insertResourceRow = preparedQuery<NewResourceRow>((db: Kysely<PartnerTables>, p) => db.insertInto('ref_partner_resources').values(p));

export async function findLiveResource(db: Kysely<PartnerTables>, box: SecretBox, installationId: string, id: string): Promise<StoredResource | undefined> {
  const row = await liveResources(db, installationId).where('id', '=', id).executeTakeFirst();
  return row ? toStoredResource(row, box) : undefined;
}

/** The installation's live resources, oldest first; only those in `ids` when it is given. */
export async function listLiveResources(db: Kysely<PartnerTables>, box: SecretBox, installationId: string, ids?: readonly string[]): Promise<StoredResource[]> {
  let query = liveResources(db, installationId).orderBy('created_at').orderBy('id');
  if (ids !== undefined) {
    if (ids.length === 0) return [];
    query = query.where('id', 'in', [...ids]);
  }
  return (await query.execute()).map((row) => toStoredResource(row, box));
}

/** Live resources of the installation on the given plan (the free-plan quota counts these). */
export async function countLiveResourcesOnPlan(db: Kysely<PartnerTables>, installationId: string, planId: string): Promise<number> {
  const row = await db
    .selectFrom('ref_partner_resources')
    .select((eb) => eb.fn.countAll().as('count'))
    .where('installation_id', '=', installationId)
    .where('billing_plan_id', '=', planId)
    .where('deleted_at', 'is', null)
    .executeTakeFirstOrThrow();
  return Number(row.count);
}

export interface ResourceChanges extends CommonResourceChanges {
  /** Setting a status ends any pending-to-ready countdown. */
  readonly status?: ResourceStatus;
}

export async function updateResource(db: Kysely<PartnerTables>, installationId: string, id: string, changes: ResourceChanges, now: number): Promise<void> {
  await db
    .updateTable('ref_partner_resources')
    .set({
      ...changedResourceColumns(changes, now),
      ...(changes.status !== undefined && { status: changes.status, ready_at: null }),
    })
    .where('installation_id', '=', installationId)
    .where('id', '=', id)
    .where('deleted_at', 'is', null)
    .execute();
}

/** Replaces the secret values, noting until when the previous ones stay valid. */
export async function replaceSecrets(
  db: Kysely<PartnerTables>,
  box: SecretBox,
  installationId: string,
  id: string,
  secrets: readonly Secret[],
  previousExpireAt: number,
  now: number,
): Promise<void> {
  await db
    .updateTable('ref_partner_resources')
    .set({ secrets: sealJson(box, secrets, resourceSecretsContext(id)), previous_secrets_expire_at: previousExpireAt, updated_at: now })
    .where('installation_id', '=', installationId)
    .where('id', '=', id)
    .execute();
}

/** Soft-deletes one resource; deleting a deleted or unknown one changes nothing. */
export async function markResourceDeleted(db: Kysely<PartnerTables>, installationId: string, id: string, now: number): Promise<void> {
  await db
    .updateTable('ref_partner_resources')
    .set({ deleted_at: now, updated_at: now })
    .where('installation_id', '=', installationId)
    .where('id', '=', id)
    .where('deleted_at', 'is', null)
    .execute();
}

/** Soft-deletes every live resource of the installation. */
export async function markInstallationResourcesDeleted(db: Kysely<PartnerTables>, installationId: string, now: number): Promise<void> {
  await db
    .updateTable('ref_partner_resources')
    .set({ deleted_at: now, updated_at: now })
    .where('installation_id', '=', installationId)
    .where('deleted_at', 'is', null)
    .execute();
}

function liveResources(db: Kysely<PartnerTables>, installationId: string) {
  return db.selectFrom('ref_partner_resources').selectAll().where('installation_id', '=', installationId).where('deleted_at', 'is', null);
}

function toStoredResource(row: Selectable<ResourceTable>, box: SecretBox): StoredResource {
  return {
    ...resourceFields(row),
    status: row.status as ResourceStatus,
    readyAt: row.ready_at === null ? null : Number(row.ready_at),
    secrets: openJson(box, row.secrets, resourceSecretsContext(row.id)) as Secret[],
  };
}
