import type { Insertable, Kysely, Selectable } from 'kysely';
import { newId } from '../domain/ids.js';
import type { LedgerEntry, LedgerKind, NewLedgerEntry } from '../domain/ledger.js';
import { keysetPageOf, type KeysetPageQuery } from './keyset.js';
import { preparedQuery } from './prepared-queries.js';
import type { DB, LedgerEntriesTable } from './schema.js';

/**
 * The append-only ledger (docs/rules.md §3). This module only inserts and reads: no update or
 * delete of `ledger_entries` exists anywhere.
 */

function ledgerEntryFromRow(row: Selectable<LedgerEntriesTable>): LedgerEntry {
  return {
    id: row.id,
    teamId: row.team_id,
    storeId: row.store_id,
    kind: row.kind as LedgerKind,
    amountCents: row.amount_cents,
    currency: 'usd',
    paymentMethodId: row.payment_method_id,
    billingPlanId: row.billing_plan_id,
    reference: row.reference,
    operationKey: row.operation_key,
    memo: row.memo,
    createdAt: row.created_at,
    invoiceId: row.invoice_id ?? null,
  };
}

type NewLedgerRow = Required<Insertable<LedgerEntriesTable>>;

// Prepared once (prepared-queries.ts): every paid create appends ledger entries.
const insertLedgerEntry = preparedQuery<NewLedgerRow>((db: Kysely<DB>, p) =>
  db
    .insertInto('ledger_entries')
    .values(p)
    .onConflict((oc) => oc.column('operation_key').doNothing()),
);

const ledgerEntryByOperationKey = preparedQuery<{ operationKey: string }, Selectable<LedgerEntriesTable>>((db: Kysely<DB>, p) =>
  db.selectFrom('ledger_entries').selectAll().where('operation_key', '=', p.operationKey),
);

/** The movement recorded under `operationKey`; undefined when none is. */
export async function findLedgerEntryByOperationKey(db: Kysely<DB>, operationKey: string): Promise<LedgerEntry | undefined> {
  const row = await ledgerEntryByOperationKey.first(db, { operationKey });
  return row ? ledgerEntryFromRow(row) : undefined;
}

/**
 * Records one money movement and returns its row. The same `operationKey` is recorded once: a
 * second call returns the row already stored (with its own id and time) and inserts nothing, so
 * a retried or recovered step can call this again safely. A key reused for a different movement
 * (another team, kind or amount) is a bug in the caller and throws.
 *
 * `ON CONFLICT DO NOTHING` rather than catching the unique violation: on PostgreSQL a failed
 * statement aborts the surrounding transaction, and callers may run this inside one.
 */
export async function appendLedgerEntry(db: Kysely<DB>, entry: NewLedgerEntry): Promise<LedgerEntry> {
  if (!Number.isSafeInteger(entry.amountCents) || entry.amountCents < 0) {
    throw new RangeError(`Ledger amounts are non-negative integer cents, got ${entry.amountCents}.`);
  }
  const values: NewLedgerRow = {
    id: newId('led'),
    team_id: entry.teamId,
    store_id: entry.storeId ?? null,
    kind: entry.kind,
    amount_cents: entry.amountCents,
    currency: 'usd',
    payment_method_id: entry.paymentMethodId ?? null,
    billing_plan_id: entry.billingPlanId ?? null,
    reference: entry.reference ?? null,
    operation_key: entry.operationKey,
    memo: entry.memo ?? null,
    created_at: entry.createdAt,
    invoice_id: entry.invoiceId ?? null,
  };
  // Inserted: the row is what was written, so it is not read back (a statement fewer per charge).
  if ((await insertLedgerEntry.affected(db, values)) === 1) return ledgerEntryFromRow(values);
  const row = await ledgerEntryByOperationKey.first(db, { operationKey: entry.operationKey });
  if (!row) throw new Error(`Ledger operation key "${entry.operationKey}" was not recorded.`);
  const stored = ledgerEntryFromRow(row);
  if (stored.teamId !== entry.teamId || stored.kind !== entry.kind || stored.amountCents !== entry.amountCents) {
    throw new Error(`Ledger operation key "${entry.operationKey}" already records a different movement (${stored.id}).`);
  }
  return stored;
}

/** Which entries `listLedgerEntries` reads (see `KeysetPageQuery`), optionally of one store. */
export interface LedgerQuery extends KeysetPageQuery {
  /** Only the movements of this store. */
  readonly storeId?: string;
}

/**
 * The team's entries, newest first, ties by id. Returns up to `limit + 1` rows so that
 * `keysetPage` can tell whether an older page exists. Many entries share a millisecond (a
 * store's authorization and charge, a batch of renewals), so the page continues from an exact
 * `(created_at, id)` position, never from a millisecond alone.
 */
export async function listLedgerEntries(db: Kysely<DB>, teamId: string, query: LedgerQuery): Promise<LedgerEntry[]> {
  let select = db.selectFrom('ledger_entries').selectAll().where('team_id', '=', teamId);
  if (query.storeId !== undefined) select = select.where('store_id', '=', query.storeId);
  const rows = await keysetPageOf(select, query).execute();
  return rows.map(ledgerEntryFromRow);
}

/** Every ledger row of one store, as stored: what recovery refunds from. */
export async function listLedgerRowsOfStore(db: Kysely<DB>, storeId: string): Promise<Array<Selectable<LedgerEntriesTable>>> {
  return db.selectFrom('ledger_entries').selectAll().where('store_id', '=', storeId).execute();
}

/** The prepaid credit the ledger records for each store (its `credit` rows), in cents; stores without any are absent. */
export async function sumCreditsOfStores(db: Kysely<DB>, storeIds: readonly string[]): Promise<Map<string, number>> {
  if (storeIds.length === 0) return new Map();
  const rows = await db
    .selectFrom('ledger_entries')
    .select(['store_id', (eb) => eb.fn.sum<number | string>('amount_cents').as('total')])
    .where('store_id', 'in', [...storeIds])
    .where('kind', '=', 'credit')
    .groupBy('store_id')
    .execute();
  return new Map(rows.map((row) => [row.store_id!, Number(row.total)]));
}
