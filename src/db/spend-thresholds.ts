import type { Kysely, Selectable } from 'kysely';
import { newId } from '../domain/ids.js';
import type { SpendThreshold } from '../domain/spend-thresholds.js';
import type { DB, SpendThresholdsTable } from './schema.js';

/** Spend thresholds and the purchases they make (migration 0018, docs/balances-and-thresholds.md). */

function thresholdFromRow(row: Selectable<SpendThresholdsTable>): SpendThreshold {
  return {
    id: row.id,
    installationId: row.installation_id,
    teamId: row.team_id,
    resourceId: row.resource_key === '' ? null : row.resource_key,
    storeId: row.store_id,
    billingPlanId: row.billing_plan_id,
    minimumCents: Number(row.minimum_cents),
    purchaseCents: Number(row.purchase_cents),
    maximumPerPeriodCents: Number(row.maximum_per_period_cents),
    metadata: row.metadata,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

/** A threshold as a caller sets it: what `SpendThreshold` holds but the id and times, assigned here. */
export type NewThreshold = Omit<SpendThreshold, 'id' | 'createdAt' | 'updatedAt'>;

/** Creates the threshold of a store or installation, or replaces its amounts (one per target). */
export async function upsertThreshold(db: Kysely<DB>, threshold: NewThreshold, now: number): Promise<SpendThreshold> {
  const changed = {
    store_id: threshold.storeId,
    billing_plan_id: threshold.billingPlanId,
    minimum_cents: threshold.minimumCents,
    purchase_cents: threshold.purchaseCents,
    maximum_per_period_cents: threshold.maximumPerPeriodCents,
    metadata: threshold.metadata,
    updated_at: now,
  };
  await db
    .insertInto('spend_thresholds')
    .values({ id: newId('thr'), installation_id: threshold.installationId, team_id: threshold.teamId, resource_key: threshold.resourceId ?? '', purchasing_until: null, created_at: now, ...changed })
    .onConflict((oc) => oc.columns(['installation_id', 'resource_key']).doUpdateSet(changed))
    .execute();
  const row = await db
    .selectFrom('spend_thresholds')
    .selectAll()
    .where('installation_id', '=', threshold.installationId)
    .where('resource_key', '=', threshold.resourceId ?? '')
    .executeTakeFirstOrThrow();
  return thresholdFromRow(row);
}

/**
 * The installation's thresholds, the installation's own first, then by resource id. A threshold
 * of a store no longer live, or of an uninstalled installation, is no threshold: it is not shown
 * and does not buy. Its row stays, because crash recovery (`listThresholdsWithInterruptedPurchases`)
 * still needs it to refund a purchase that store's deletion interrupted.
 */
export async function listThresholdsOfInstallation(db: Kysely<DB>, installationId: string): Promise<SpendThreshold[]> {
  const rows = await db
    .selectFrom('spend_thresholds')
    .innerJoin('installations', 'installations.id', 'spend_thresholds.installation_id')
    .leftJoin('stores', 'stores.id', 'spend_thresholds.store_id')
    .selectAll('spend_thresholds')
    .where('spend_thresholds.installation_id', '=', installationId)
    .where('installations.deleted_at', 'is', null)
    .where((eb) => eb.or([eb('spend_thresholds.store_id', 'is', null), eb.and([eb('stores.lifecycle', '=', 'live'), eb('stores.deleted_at', 'is', null)])]))
    .orderBy('spend_thresholds.resource_key')
    .execute();
  return rows.map(thresholdFromRow);
}

/**
 * Takes the threshold for one top-up until `until`, unless another holds it: of two balance
 * reports at once, one buys. A holder that died frees it when its hold passes.
 */
export async function claimThreshold(db: Kysely<DB>, id: string, now: number, until: number): Promise<boolean> {
  const result = await db
    .updateTable('spend_thresholds')
    .set({ purchasing_until: until })
    .where('id', '=', id)
    .where((eb) => eb.or([eb('purchasing_until', 'is', null), eb('purchasing_until', '<', now)]))
    .executeTakeFirst();
  return Number(result.numUpdatedRows) === 1;
}

/**
 * Ends the hold `until` that `claimThreshold` took, only if it is still that hold: a holder slower
 * than its hold was taken over, and must not free its successor's claim.
 */
export async function releaseThreshold(db: Kysely<DB>, id: string, until: number): Promise<void> {
  await db.updateTable('spend_thresholds').set({ purchasing_until: null }).where('id', '=', id).where('purchasing_until', '=', until).execute();
}

export type PurchaseState = 'charging' | 'declined' | 'delivered' | 'refunded';

/** Records the start of a purchase (`charging`), before the card is asked; returns its id. */
export async function insertThresholdPurchase(db: Kysely<DB>, threshold: SpendThreshold, amountCents: number, paymentMethodId: string, now: number): Promise<string> {
  const id = newId('tpur');
  await db
    .insertInto('threshold_purchases')
    .values({
      id,
      threshold_id: threshold.id,
      installation_id: threshold.installationId,
      team_id: threshold.teamId,
      resource_key: threshold.resourceId ?? '',
      store_id: threshold.storeId,
      amount_cents: amountCents,
      state: 'charging',
      invoice_id: null,
      payment_method_id: paymentMethodId,
      reason: null,
      created_at: now,
      updated_at: now,
    })
    .execute();
  return id;
}

export async function settleThresholdPurchase(db: Kysely<DB>, id: string, fields: { state: PurchaseState; invoiceId?: string | null; reason?: string | null }, now: number): Promise<void> {
  await db
    .updateTable('threshold_purchases')
    .set({ state: fields.state, ...(fields.invoiceId !== undefined ? { invoice_id: fields.invoiceId } : {}), ...(fields.reason !== undefined ? { reason: fields.reason } : {}), updated_at: now })
    .where('id', '=', id)
    .execute();
}

/**
 * What the threshold's purchases took from the card since `since`: delivered ones, and those still
 * charging (a purchase under way counts against the limit until it ends).
 */
export async function sumThresholdPurchasesSince(db: Kysely<DB>, thresholdId: string, since: number): Promise<number> {
  const row = await db
    .selectFrom('threshold_purchases')
    .select((eb) => eb.fn.sum<number | string | null>('amount_cents').as('total'))
    .where('threshold_id', '=', thresholdId)
    .where('created_at', '>=', since)
    .where('state', 'in', ['charging', 'delivered'])
    .executeTakeFirst();
  return Number(row?.total ?? 0);
}

/**
 * Whether a purchase of the threshold made since `since` failed (`declined`, or `refunded`: the
 * partner did not take it). Such a failure stops the threshold (docs/balances-and-thresholds.md).
 */
export async function hasFailedPurchaseSince(db: Kysely<DB>, thresholdId: string, since: number): Promise<boolean> {
  const row = await db
    .selectFrom('threshold_purchases')
    .select('id')
    .where('threshold_id', '=', thresholdId)
    .where('created_at', '>=', since)
    .where('state', 'in', ['declined', 'refunded'])
    .limit(1)
    .executeTakeFirst();
  return row !== undefined;
}

/** A purchase still `charging`: its holder is working on it, or died while doing so. */
export interface UnfinishedPurchase {
  readonly id: string;
  readonly amountCents: number;
  readonly paymentMethodId: string | null;
}

/** The threshold's purchases left `charging` since before `before` (their holder's hold has passed), oldest first. */
export async function listUnfinishedPurchases(db: Kysely<DB>, thresholdId: string, before: number): Promise<UnfinishedPurchase[]> {
  const rows = await db
    .selectFrom('threshold_purchases')
    .select(['id', 'amount_cents', 'payment_method_id'])
    .where('threshold_id', '=', thresholdId)
    .where('state', '=', 'charging')
    .where('updated_at', '<', before)
    .orderBy('created_at')
    .execute();
  return rows.map((row) => ({ id: row.id, amountCents: Number(row.amount_cents), paymentMethodId: row.payment_method_id }));
}

/**
 * Thresholds nobody holds at `now` with a purchase left `charging` since before `before` (its
 * holder's hold has passed: the holder died); at most `limit`, the rest for a later call. Whoever
 * acts on one claims it first (`claimThreshold`): this is only a list of candidates.
 */
export async function listThresholdsWithInterruptedPurchases(db: Kysely<DB>, now: number, before: number, limit: number): Promise<SpendThreshold[]> {
  const rows = await db
    .selectFrom('spend_thresholds')
    .selectAll('spend_thresholds')
    .where((eb) =>
      eb.exists(
        eb
          .selectFrom('threshold_purchases')
          .select('threshold_purchases.id')
          .whereRef('threshold_purchases.threshold_id', '=', 'spend_thresholds.id')
          .where('threshold_purchases.state', '=', 'charging')
          .where('threshold_purchases.updated_at', '<', before),
      ),
    )
    .where((eb) => eb.or([eb('spend_thresholds.purchasing_until', 'is', null), eb('spend_thresholds.purchasing_until', '<', now)]))
    .orderBy('spend_thresholds.id')
    .limit(limit)
    .execute();
  return rows.map(thresholdFromRow);
}
