import type { Kysely } from 'kysely';
import type { Installation } from '../domain/installations.js';
import type { Dialect } from './database.js';
import { installationFromRow } from './installations.js';
import { lockedForUpdate } from './row-locks.js';
import type { DB } from './schema.js';

/**
 * What `PATCH /v1/integrations/configuration/{id}` changes on an installation (migration 0019,
 * docs/installation-updates.md): its plan, under a claim that lets one plan change run at a
 * time, and the projects allowed to use it.
 */

/** The id of the plan recorded on the installation (`billing_plan`, JSON); null when none is. */
export async function findRecordedPlanId(db: Kysely<DB>, installationId: string): Promise<string | null> {
  const row = await db.selectFrom('installations').select('billing_plan').where('id', '=', installationId).executeTakeFirst();
  if (!row?.billing_plan) return null;
  const plan = JSON.parse(row.billing_plan) as { id?: unknown };
  return typeof plan.id === 'string' ? plan.id : null;
}

/**
 * Takes the live installation for plan change `changeId`; false when another change holds it,
 * however old its claim: a claim is let go only by its own change, or settled by the plan-change
 * reconciliation (`jobs/plan-change-reconciliation.ts`), which reads the provider's state first.
 */
export async function claimPlanChange(db: Kysely<DB>, installationId: string, changeId: string, now: number): Promise<boolean> {
  const result = await db
    .updateTable('installations')
    .set({ plan_change_id: changeId, plan_change_at: now })
    .where('id', '=', installationId)
    .where('deleted_at', 'is', null)
    .where('plan_change_id', 'is', null)
    .executeTakeFirst();
  return result.numUpdatedRows === 1n;
}

/** A plan change whose claim has not moved since `claimedAt`. */
export interface HeldPlanChange {
  readonly installation: Installation;
  readonly changeId: string;
  readonly claimedAt: number;
}

/** Plan changes whose claim is older than `claimedBefore` (their process died, or the outcome is unknown), oldest first. */
export async function listStalePlanChanges(db: Kysely<DB>, claimedBefore: number, limit: number): Promise<HeldPlanChange[]> {
  const rows = await db
    .selectFrom('installations')
    .selectAll()
    .where('plan_change_id', 'is not', null)
    .where('plan_change_at', '<', claimedBefore)
    .orderBy('plan_change_at')
    .limit(limit)
    .execute();
  return rows.map((row) => ({ installation: installationFromRow(row), changeId: row.plan_change_id!, claimedAt: Number(row.plan_change_at) }));
}

/**
 * Renews the claim of plan change `held.changeId` to `now`, if it has not moved since it was
 * listed: a compare-and-swap, so of several replicas that listed it, one gets it. Also what a
 * running change does before a second provider call, so that its claim does not look stale.
 */
export async function renewPlanChangeClaim(db: Kysely<DB>, installationId: string, changeId: string, claimedAt: number | null, now: number): Promise<boolean> {
  let update = db.updateTable('installations').set({ plan_change_at: now }).where('id', '=', installationId).where('plan_change_id', '=', changeId);
  if (claimedAt !== null) update = update.where('plan_change_at', '=', claimedAt);
  const result = await update.executeTakeFirst();
  return result.numUpdatedRows === 1n;
}

/** Lets go of the installation, if plan change `changeId` still holds it. */
export async function releasePlanChange(db: Kysely<DB>, installationId: string, changeId: string): Promise<void> {
  await db.updateTable('installations').set({ plan_change_id: null, plan_change_at: null }).where('id', '=', installationId).where('plan_change_id', '=', changeId).execute();
}

/**
 * Records the plan (JSON) and, when the provider gave one, its notification (`undefined` leaves it
 * as it is), and lets go of the installation, in one statement.
 */
export async function recordInstallationPlan(db: Kysely<DB>, installationId: string, changeId: string, fields: { readonly billingPlan: string; readonly notification: string | null | undefined }, now: number): Promise<void> {
  await db
    .updateTable('installations')
    .set({
      billing_plan: fields.billingPlan,
      ...(fields.notification !== undefined ? { notification: fields.notification } : {}),
      plan_change_id: null,
      plan_change_at: null,
      updated_at: now,
    })
    .where('id', '=', installationId)
    .where('plan_change_id', '=', changeId)
    .execute();
}

/** The project ids allowed to use the installation; null when every project of the team may. */
export async function findAllowedProjects(db: Kysely<DB>, installationId: string): Promise<string[] | null> {
  const row = await db.selectFrom('installations').select('allowed_projects').where('id', '=', installationId).executeTakeFirst();
  return parseAllowedProjects(row?.allowed_projects ?? null);
}

export function parseAllowedProjects(text: string | null): string[] | null {
  return text === null ? null : (JSON.parse(text) as string[]);
}

/** Why `setAllowedProjects` changed nothing. */
export type AllowedProjectsRefusal =
  /** Ids that are not projects of the team. */
  | { readonly unknown: readonly string[] }
  /** Projects outside the new list that a store of the installation is connected to. */
  | { readonly connected: readonly string[] };

/**
 * Sets which projects may use the installation (`null`: all). Refused when an id is not a project
 * of the team, or when a project left out is connected to one of the installation's stores. The
 * installation's row is locked meanwhile (PostgreSQL), the row a connect reads FOR SHARE in
 * `upsertConnectionOfLiveStore`: a connect and a narrowing cannot cross.
 */
export async function setAllowedProjects(
  db: Kysely<DB>,
  dialect: Dialect,
  teamId: string,
  installationId: string,
  allowed: readonly string[] | null,
  now: number,
): Promise<{ readonly ok: true } | { readonly refused: AllowedProjectsRefusal } | { readonly gone: true }> {
  return db.transaction().execute(async (trx) => {
    const installation = await lockedForUpdate(trx.selectFrom('installations').select('id').where('id', '=', installationId).where('team_id', '=', teamId).where('deleted_at', 'is', null), dialect).executeTakeFirst();
    if (!installation) return { gone: true as const };
    if (allowed !== null) {
      const known = allowed.length === 0 ? [] : await trx.selectFrom('projects').select('id').where('team_id', '=', teamId).where('id', 'in', [...allowed]).execute();
      const knownIds = new Set(known.map((row) => row.id));
      const unknown = allowed.filter((id) => !knownIds.has(id));
      if (unknown.length > 0) return { refused: { unknown } };
      let connected = trx
        .selectFrom('store_connections')
        .innerJoin('stores', 'stores.id', 'store_connections.store_id')
        .select('store_connections.project_id')
        .distinct()
        .where('stores.installation_id', '=', installationId);
      if (allowed.length > 0) connected = connected.where('store_connections.project_id', 'not in', [...allowed]);
      const outside = await connected.orderBy('store_connections.project_id').execute();
      if (outside.length > 0) return { refused: { connected: outside.map((row) => row.project_id) } };
    }
    await trx
      .updateTable('installations')
      .set({ allowed_projects: allowed === null ? null : JSON.stringify(allowed), updated_at: now })
      .where('id', '=', installationId)
      .execute();
    return { ok: true as const };
  });
}
