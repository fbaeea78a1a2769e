import type { Kysely, Selectable } from 'kysely';
import { hashToken } from '../../crypto/secret-box.js';
import type { Dialect } from '../../db/database.js';
import { lockedForUpdate } from '../../db/row-locks.js';
import type { InstallationTable, PartnerTables } from './tables.js';

/** What the partner keeps of an installation. Of the access token only a hash is kept. */
export interface Installation {
  readonly id: string;
  readonly scopes: readonly string[];
  readonly acceptedPolicies: Readonly<Record<string, string>>;
  readonly account: Readonly<Record<string, unknown>>;
  readonly createdAt: number;
  readonly updatedAt: number;
}

export interface InstallationInput extends Omit<Installation, 'createdAt' | 'updatedAt'> {
  /** The installation's token for calling back Stockroom: a secret. */
  readonly accessToken: string;
  readonly tokenType: string;
}

/** Creates the installation, or updates it (and brings it back if it was deleted). */
export async function upsertInstallation(db: Kysely<PartnerTables>, input: InstallationInput, now: number): Promise<void> {
  const values = {
    scopes: JSON.stringify(input.scopes),
    accepted_policies: JSON.stringify(input.acceptedPolicies),
    account: JSON.stringify(input.account),
    access_token_hash: hashToken(input.accessToken),
    token_type: input.tokenType,
    updated_at: now,
    deleted_at: null,
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
 * transaction ends, so two replicas cannot both take the last free-plan slot. SQLite has no row
 * locks and needs none: it runs one write transaction at a time.
 */
export async function lockLiveInstallation(
  trx: Kysely<PartnerTables>,
  dialect: Dialect,
  id: string,
): Promise<Installation | undefined> {
  const query = trx.selectFrom('ref_partner_installations').selectAll().where('id', '=', id).where('deleted_at', 'is', null);
  const row = await lockedForUpdate(query, dialect).executeTakeFirst();
  return row ? toInstallation(row) : undefined;
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
    // pg returns bigint columns as strings unless told otherwise; Number() makes both dialects agree.
    createdAt: Number(row.created_at),
    updatedAt: Number(row.updated_at),
  };
}
