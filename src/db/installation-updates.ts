import type { Kysely, UpdateQueryBuilder, UpdateResult } from 'kysely';
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

/** The plan change holding the installation; null when none does. */
export async function findRunningPlanChangeId(db: Kysely<DB>, installationId: string): Promise<string | null> {
  const row = await db.selectFrom('installations').select('plan_change_id').where('id', '=', installationId).executeTakeFirst();
  return row?.plan_change_id ?? null;
}

/** What a plan change is about to charge, recorded with its claim before the processor is called. */
export interface PlanChangeIntent {
  readonly planId: string;
  /** Null when the change charges nothing. */
  readonly charge: { readonly amountCents: number; readonly paymentMethodId: string } | null;
}

/**
 * Takes the live, `ready` installation for plan change `changeId` and records what it will charge;
 * the claim's time (`claimedAt`, fencing every later step), or null when another change holds it
 * (however old its claim: a claim is let go only by its own change, or settled by the plan-change
 * reconciliation, `jobs/plan-change-reconciliation.ts`, which reads the provider's state first)
 * or the installation is being uninstalled.
 */
export async function claimPlanChange(db: Kysely<DB>, installationId: string, changeId: string, intent: PlanChangeIntent, now: number): Promise<number | null> {
  const result = await db
    .updateTable('installations')
    .set({
      plan_change_id: changeId,
      plan_change_at: now,
      plan_change_began_at: now,
      plan_change_plan_id: intent.planId,
      plan_change_charge_cents: intent.charge?.amountCents ?? null,
      plan_change_payment_method_id: intent.charge?.paymentMethodId ?? null,
    })
    .where('id', '=', installationId)
    .where('deleted_at', 'is', null)
    .where('status', '=', 'ready')
    .where('plan_change_id', 'is', null)
    .executeTakeFirst();
  return result.numUpdatedRows === 1n ? now : null;
}

/** A plan change whose claim has not moved since `claimedAt`, with what it meant to charge. */
export interface HeldPlanChange {
  readonly installation: Installation;
  readonly changeId: string;
  readonly claimedAt: number;
  /** When the change began; null for a claim written before this was recorded with it. */
  readonly beganAt: number | null;
  /** Null for a claim written before the intent was recorded with it. */
  readonly intent: PlanChangeIntent | null;
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
  return rows.map((row) => ({
    installation: installationFromRow(row),
    changeId: row.plan_change_id!,
    claimedAt: Number(row.plan_change_at),
    beganAt: row.plan_change_began_at === null ? null : Number(row.plan_change_began_at),
    intent:
      row.plan_change_plan_id === null
        ? null
        : {
            planId: row.plan_change_plan_id,
            charge: row.plan_change_charge_cents === null || row.plan_change_payment_method_id === null ? null : { amountCents: Number(row.plan_change_charge_cents), paymentMethodId: row.plan_change_payment_method_id },
          },
  }));
}

/**
 * Renews the claim of plan change `changeId` from `claimedAt` to `now`: a compare-and-swap, so of
 * several holders (replicas that listed it, the request and the loop) only the one that last
 * renewed it gets it. Also what a running change does before each provider call. False when the
 * claim is no longer this holder's.
 */
export async function renewPlanChangeClaim(db: Kysely<DB>, installationId: string, changeId: string, claimedAt: number, now: number): Promise<boolean> {
  const result = await fenced(db.updateTable('installations').set({ plan_change_at: now }), installationId, { changeId, claimedAt }).executeTakeFirst();
  return result.numUpdatedRows === 1n;
}

/** A claim as its holder last took or renewed it. */
export interface PlanChangeClaim {
  readonly changeId: string;
  readonly claimedAt: number;
}

const LET_GO = { plan_change_id: null, plan_change_at: null, plan_change_began_at: null, plan_change_plan_id: null, plan_change_charge_cents: null, plan_change_payment_method_id: null } as const;

/** Lets go of the installation, if `claim` still holds it; false when it no longer did. */
export async function releasePlanChange(db: Kysely<DB>, installationId: string, claim: PlanChangeClaim): Promise<boolean> {
  const result = await fenced(db.updateTable('installations').set(LET_GO), installationId, claim).executeTakeFirst();
  return result.numUpdatedRows === 1n;
}

/**
 * Records the plan (JSON) and, when the provider gave one, its notification (`undefined` leaves it
 * as it is), and lets go of the installation, in one statement, if `claim` still holds it; false
 * (nothing written) when it no longer did.
 */
export async function recordInstallationPlan(db: Kysely<DB>, installationId: string, claim: PlanChangeClaim, fields: { readonly billingPlan: string; readonly notification: string | null | undefined }, now: number): Promise<boolean> {
  const result = await fenced(
    db.updateTable('installations').set({
      billing_plan: fields.billingPlan,
      ...(fields.notification !== undefined ? { notification: fields.notification } : {}),
      ...LET_GO,
      updated_at: now,
    }),
    installationId,
    claim,
  ).executeTakeFirst();
  return result.numUpdatedRows === 1n;
}

function fenced<T extends UpdateQueryBuilder<DB, 'installations', 'installations', UpdateResult>>(update: T, installationId: string, claim: PlanChangeClaim): T {
  return update.where('id', '=', installationId).where('plan_change_id', '=', claim.changeId).where('plan_change_at', '=', claim.claimedAt) as T;
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
