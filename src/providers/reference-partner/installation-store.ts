import type { Kysely, Selectable } from 'kysely';
import type { SecretBox } from '../../crypto/secret-box.js';
import type { Dialect } from '../../db/database.js';
import { preparedQuery } from '../../db/prepared-queries.js';
import { lockedForShare, lockedForUpdate } from '../../db/row-locks.js';
import type { InstallationTable, PartnerTables } from './tables.js';

/** What the partner keeps of an installation. Its access token is kept sealed; read it with `openAccessToken`. */
export interface Installation {
  readonly id: string;
  readonly scopes: readonly string[];
  readonly acceptedPolicies: Readonly<Record<string, string>>;
  readonly account: Readonly<Record<string, unknown>>;
  /** The installation-level plan Update Installation set (migration 0007); null: billed per resource. */
  readonly billingPlanId: string | null;
  readonly createdAt: number;
  readonly updatedAt: number;
}

export interface InstallationInput extends Omit<Installation, 'createdAt' | 'updatedAt' | 'billingPlanId'> {
  /** The installation's token for calling back Stockroom: a secret. */
  readonly accessToken: string;
  readonly tokenType: string;
}

/** Creates the installation, or updates it (and brings it back if it was deleted). */
export async function upsertInstallation(db: Kysely<PartnerTables>, box: SecretBox, input: InstallationInput, now: number): Promise<void> {
  const values = {
    scopes: JSON.stringify(input.scopes),
    accepted_policies: JSON.stringify(input.acceptedPolicies),
    account: JSON.stringify(input.account),
    access_token: box.seal(input.accessToken, accessTokenContext(input.id)),
    token_type: input.tokenType,
    updated_at: now,
    deleted_at: null,
    finalization: null,
  };
  await db
    .insertInto('ref_partner_installations')
    .values({ id: input.id, created_at: now, ...values })
    .onConflict((oc) => oc.column('id').doUpdateSet(values))
    .execute();
}

export async function findLiveInstallation(db: Kysely<PartnerTables>, id: string): Promise<Installation | undefined> {
  const row = await db
    .selectFrom('ref_partner_installations')
    .selectAll()
    .where('id', '=', id)
    .where('deleted_at', 'is', null)
    .executeTakeFirst();
  return row ? toInstallation(row) : undefined;
}

/**
 * Reads a live installation inside a transaction and, on PostgreSQL, locks its row until the
 * transaction ends. `exclusive` (FOR UPDATE) when the transaction counts the installation's
 * resources against a limit, so that two replicas cannot both take the last free-plan slot;
 * `shared` (FOR SHARE) when it only needs the installation to stay installed meanwhile: an
 * uninstall waits for it either way, but shared holders do not wait for one another, and each holds
 * the lock through its commit's disk sync. SQLite has no row locks and needs none: it runs one
 * write transaction at a time.
 */
export async function lockLiveInstallation(
  trx: Kysely<PartnerTables>,
  // The prepared statement is built per dialect and adds FOR UPDATE on PostgreSQL by itself.
  _dialect: Dialect,
  id: string,
  mode: 'exclusive' | 'shared' = 'exclusive',
): Promise<Installation | undefined> {
  const row = await (mode === 'exclusive' ? exclusivelyLockedLiveInstallation : sharedLockedLiveInstallation).first(trx, { id });
  return row ? toInstallation(row) : undefined;
}

const liveInstallationQuery = (db: Kysely<PartnerTables>, id: string) => db.selectFrom('ref_partner_installations').selectAll().where('id', '=', id).where('deleted_at', 'is', null);
const exclusivelyLockedLiveInstallation = preparedQuery<{ id: string }, Selectable<InstallationTable>>((db: Kysely<PartnerTables>, p, dialect) => lockedForUpdate(liveInstallationQuery(db, p.id), dialect));
const sharedLockedLiveInstallation = preparedQuery<{ id: string }, Selectable<InstallationTable>>((db: Kysely<PartnerTables>, p, dialect) => lockedForShare(liveInstallationQuery(db, p.id), dialect));

/** Puts the live installation on the installation-level plan `billingPlanId`; false when it is not live. */
export async function setInstallationPlan(db: Kysely<PartnerTables>, id: string, billingPlanId: string, now: number): Promise<boolean> {
  const result = await db.updateTable('ref_partner_installations').set({ billing_plan_id: billingPlanId, updated_at: now }).where('id', '=', id).where('deleted_at', 'is', null).executeTakeFirst();
  return result.numUpdatedRows > 0n;
}

/** Soft-deletes the installation; true when it was live. */
export async function markInstallationDeleted(db: Kysely<PartnerTables>, id: string, now: number): Promise<boolean> {
  const result = await db
    .updateTable('ref_partner_installations')
    .set({ deleted_at: now, updated_at: now })
    .where('id', '=', id)
    .where('deleted_at', 'is', null)
    .executeTakeFirst();
  return result.numUpdatedRows > 0n;
}

function toInstallation(row: Selectable<InstallationTable>): Installation {
  return {
    id: row.id,
    scopes: JSON.parse(row.scopes) as string[],
    acceptedPolicies: JSON.parse(row.accepted_policies) as Record<string, string>,
    account: JSON.parse(row.account) as Record<string, unknown>,
    billingPlanId: row.billing_plan_id,
    // pg returns bigint columns as strings unless told otherwise; Number() makes both dialects agree.
    createdAt: Number(row.created_at),
    updatedAt: Number(row.updated_at),
  };
}

/** The sealed token is bound to its installation: a value copied to another row does not open. */
export function accessTokenContext(installationId: string): string {
  return `ref_partner_installations.access_token:${installationId}`;
}

/** An installation the partner can call Stockroom back for: it holds a token. */
export interface CallableInstallation {
  readonly id: string;
  readonly accessToken: string;
  readonly usageReportedAt: number | null;
  readonly finalization: string | null;
  readonly deletedAt: number | null;
}

/**
 * The installations holding a token: the live ones, and the deleted ones still owing Finalize
 * Installation. Rows from before tokens were sealed hold none and are left out.
 */
export async function listCallableInstallations(db: Kysely<PartnerTables>, box: SecretBox): Promise<CallableInstallation[]> {
  const rows = await db
    .selectFrom('ref_partner_installations')
    .select(['id', 'access_token', 'usage_reported_at', 'finalization', 'deleted_at'])
    .where('access_token', 'is not', null)
    .where((eb) => eb.or([eb('deleted_at', 'is', null), eb('finalization', '=', 'pending')]))
    .orderBy('id')
    .execute();
  return rows.map((row) => ({
    id: row.id,
    accessToken: box.open(row.access_token!, accessTokenContext(row.id)),
    usageReportedAt: row.usage_reported_at === null ? null : Number(row.usage_reported_at),
    finalization: row.finalization,
    deletedAt: row.deleted_at === null ? null : Number(row.deleted_at),
  }));
}

export async function markUsageReported(db: Kysely<PartnerTables>, id: string, hourStart: number): Promise<void> {
  await db.updateTable('ref_partner_installations').set({ usage_reported_at: hourStart }).where('id', '=', id).execute();
}

export async function setFinalization(db: Kysely<PartnerTables>, id: string, finalization: 'pending' | 'held' | 'done'): Promise<void> {
  await db.updateTable('ref_partner_installations').set({ finalization }).where('id', '=', id).execute();
}

/** The installation's finalization state (see `InstallationTable.finalization`); null when none is owed. */
export async function findFinalization(db: Kysely<PartnerTables>, id: string): Promise<string | null> {
  const row = await db.selectFrom('ref_partner_installations').select('finalization').where('id', '=', id).executeTakeFirst();
  return row?.finalization ?? null;
}

/** The installation's access token, opened; null when it holds none (written before tokens were sealed). */
export async function findAccessToken(db: Kysely<PartnerTables>, box: SecretBox, id: string): Promise<string | null> {
  const row = await db.selectFrom('ref_partner_installations').select('access_token').where('id', '=', id).executeTakeFirst();
  return row?.access_token ? box.open(row.access_token, accessTokenContext(id)) : null;
}
