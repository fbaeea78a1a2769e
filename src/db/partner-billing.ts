import type { Kysely } from 'kysely';
import { newId } from '../domain/ids.js';
import type { BilledResource } from '../domain/invoices.js';
import type { BillingData, UsageType } from '../domain/partner-billing.js';
import { billedResourcesOf, findStoresOfResources } from './invoices.js';
import type { DB } from './schema.js';

/**
 * What a billing report's resource ids name, read in one query: those that are no store's provider
 * resource in the installation (deleted stores count: final usage may follow a deletion), and the
 * billed store of each other one (`findBilledResources`).
 */
export async function findReportedResources(
  db: Kysely<DB>,
  installationId: string,
  resourceIds: readonly string[],
): Promise<{ unknown: string[]; billed: Map<string, BilledResource> }> {
  const rows = await findStoresOfResources(db, installationId, resourceIds);
  const known = new Set(rows.map((row) => row.external_resource_id));
  return { unknown: resourceIds.filter((id) => !known.has(id)), billed: billedResourcesOf(rows) };
}

/**
 * Stores a Submit Billing Data: the submission as received, and each usage metric's value as the
 * latest of its resource unless a submission with a later `timestamp` already set it (the
 * partner's clock orders its reports; a retried or delayed older one does not win). One transaction.
 */
export async function recordBillingData(db: Kysely<DB>, installationId: string, teamId: string, data: BillingData, now: number): Promise<string> {
  const id = newId('bsub');
  await db.transaction().execute(async (trx) => {
    await trx
      .insertInto('billing_submissions')
      .values({
        id,
        installation_id: installationId,
        team_id: teamId,
        timestamp: data.timestamp,
        eod: data.eod,
        period_start: data.period.start,
        period_end: data.period.end,
        billing: JSON.stringify({ items: data.items, discounts: data.discounts }),
        usage: JSON.stringify(data.usage),
        created_at: now,
      })
      .execute();
    for (const usage of data.usage) {
      await trx
        .insertInto('resource_usage')
        .values({
          installation_id: installationId,
          resource_id: usage.resourceId ?? '',
          name: usage.name,
          type: usage.type,
          units: usage.units,
          day_value: usage.dayValue,
          period_value: usage.periodValue,
          plan_value: usage.planValue ?? null,
          eod: data.eod,
          period_start: data.period.start,
          period_end: data.period.end,
          timestamp: data.timestamp,
          updated_at: now,
        })
        .onConflict((oc) =>
          oc
            .columns(['installation_id', 'resource_id', 'name'])
            .doUpdateSet((eb) => ({
              type: eb.ref('excluded.type'),
              units: eb.ref('excluded.units'),
              day_value: eb.ref('excluded.day_value'),
              period_value: eb.ref('excluded.period_value'),
              plan_value: eb.ref('excluded.plan_value'),
              eod: eb.ref('excluded.eod'),
              period_start: eb.ref('excluded.period_start'),
              period_end: eb.ref('excluded.period_end'),
              timestamp: eb.ref('excluded.timestamp'),
              updated_at: eb.ref('excluded.updated_at'),
            }))
            .where('resource_usage.timestamp', '<=', data.timestamp),
        )
        .execute();
    }
  });
  return id;
}

export interface StoredUsage {
  readonly name: string;
  readonly type: UsageType;
  readonly units: string;
  readonly dayValue: number;
  readonly periodValue: number;
  readonly planValue: number | null;
  readonly eod: number;
  readonly periodStart: number;
  readonly periodEnd: number;
  readonly updatedAt: number;
}

export interface StoredBalance {
  readonly credit: string | null;
  readonly nameLabel: string | null;
  readonly currencyValueInCents: number;
  /** The partner's `timestamp` of the balance. */
  readonly timestamp: number;
}

/** A resource's latest usage values and its balance, by name. */
export async function readUsageAndBalance(db: Kysely<DB>, installationId: string, resourceId: string): Promise<{ usage: StoredUsage[]; balance: StoredBalance | null }> {
  const usage = await db.selectFrom('resource_usage').selectAll().where('installation_id', '=', installationId).where('resource_id', '=', resourceId).orderBy('name').execute();
  const balance = await db.selectFrom('prepayment_balances').selectAll().where('installation_id', '=', installationId).where('resource_key', '=', resourceId).executeTakeFirst();
  return {
    usage: usage.map((row) => ({
      name: row.name,
      type: row.type as UsageType,
      units: row.units,
      dayValue: Number(row.day_value),
      periodValue: Number(row.period_value),
      planValue: row.plan_value === null ? null : Number(row.plan_value),
      eod: row.eod,
      periodStart: row.period_start,
      periodEnd: row.period_end,
      updatedAt: row.updated_at,
    })),
    balance: balance
      ? { credit: balance.credit, nameLabel: balance.name_label, currencyValueInCents: balance.currency_value_in_cents, timestamp: balance.reported_at }
      : null,
  };
}
