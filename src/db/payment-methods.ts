import type { Kysely, Selectable } from 'kysely';
import type { PaymentMethod } from '../domain/payment-methods.js';
import { preparedQuery } from './prepared-queries.js';
import type { DB, PaymentMethodsTable } from './schema.js';

/**
 * A team's own payment methods and its default. Removing a method only marks it (`deleted_at`):
 * ledger rows keep naming it. The shared test methods are the processor's and have no rows.
 */

function paymentMethodFromRow(row: Selectable<PaymentMethodsTable>): PaymentMethod {
  return { id: row.id, teamId: row.team_id, source: row.source, brand: row.brand, last4: row.last4, createdAt: row.created_at };
}

/** Stores a new method for its team and, with `makeDefault`, makes it the default in the same transaction. */
export async function insertPaymentMethod(db: Kysely<DB>, method: PaymentMethod, options: { makeDefault?: boolean } = {}): Promise<void> {
  const insert = (trx: Kysely<DB>) =>
    trx
      .insertInto('payment_methods')
      .values({
        id: method.id,
        team_id: method.teamId,
        source: method.source,
        brand: method.brand,
        last4: method.last4,
        created_at: method.createdAt,
        deleted_at: null,
      })
      .execute();
  if (!options.makeDefault) {
    await insert(db);
    return;
  }
  await db.transaction().execute(async (trx) => {
    await insert(trx);
    await setDefaultPaymentMethodId(trx, method.teamId, method.id, method.createdAt);
  });
}

/** The team's live methods, oldest first. */
export async function listPaymentMethods(db: Kysely<DB>, teamId: string): Promise<PaymentMethod[]> {
  const rows = await livePaymentMethods.rows(db, { teamId });
  return rows.map(paymentMethodFromRow);
}

// Prepared once (prepared-queries.ts): every paid create reads the team's methods and default.
const livePaymentMethods = preparedQuery<{ teamId: string }, Selectable<PaymentMethodsTable>>((db: Kysely<DB>, p) =>
  db.selectFrom('payment_methods').selectAll().where('team_id', '=', p.teamId).where('deleted_at', 'is', null).orderBy('created_at', 'asc').orderBy('id', 'asc'),
);

const defaultPaymentMethod = preparedQuery<{ teamId: string }, { default_payment_method_id: string | null }>((db: Kysely<DB>, p) =>
  db.selectFrom('teams').select('default_payment_method_id').where('id', '=', p.teamId),
);

/** The team's live method `id`; undefined if it is removed, unknown or another team's. */
export async function findPaymentMethod(db: Kysely<DB>, teamId: string, id: string): Promise<PaymentMethod | undefined> {
  const row = await db
    .selectFrom('payment_methods')
    .selectAll()
    .where('id', '=', id)
    .where('team_id', '=', teamId)
    .where('deleted_at', 'is', null)
    .executeTakeFirst();
  return row ? paymentMethodFromRow(row) : undefined;
}

/**
 * Removes the team's live method `id` and, if it was the team's default, clears the default, in one
 * transaction. Returns false when there was no such live method (nothing changes then).
 */
export async function deletePaymentMethod(db: Kysely<DB>, teamId: string, id: string, now: number): Promise<boolean> {
  return db.transaction().execute(async (trx) => {
    const removed = await trx
      .updateTable('payment_methods')
      .set({ deleted_at: now })
      .where('id', '=', id)
      .where('team_id', '=', teamId)
      .where('deleted_at', 'is', null)
      .executeTakeFirst();
    if (removed.numUpdatedRows === 0n) return false;
    await trx
      .updateTable('teams')
      .set({ default_payment_method_id: null, updated_at: now })
      .where('id', '=', teamId)
      .where('default_payment_method_id', '=', id)
      .execute();
    return true;
  });
}

/** The id the team chose as default (a shared test id or one of its own), or null. */
export async function getDefaultPaymentMethodId(db: Kysely<DB>, teamId: string): Promise<string | null> {
  const row = await defaultPaymentMethod.first(db, { teamId });
  return row?.default_payment_method_id ?? null;
}

/**
 * Sets the team's default to `id`, or clears it with null. The caller checks that `id` is usable
 * by the team; a default removed since is treated as none by `resolvePaymentMethod`.
 */
export async function setDefaultPaymentMethodId(db: Kysely<DB>, teamId: string, id: string | null, now: number): Promise<void> {
  await db.updateTable('teams').set({ default_payment_method_id: id, updated_at: now }).where('id', '=', teamId).execute();
}
