/**
 * The ledger: every money movement Stockroom makes or records, one row each, never changed or
 * removed afterwards (docs/rules.md §3). Amounts are integer US cents, never negative; `kind` says
 * which way the money went.
 */

/** Every kind of entry, in the order a paid store usually meets them. */
export const LEDGER_KINDS = ['authorization', 'charge', 'refund', 'credit'] as const;

/**
 * - `authorization`: a check that the method can pay, before provisioning (no money moves).
 * - `charge`: money taken from the payment method.
 * - `refund`: a charge given back (`reference` names the refund, `memo` may say why).
 * - `credit`: prepaid money added to a store's balance.
 */
export type LedgerKind = (typeof LEDGER_KINDS)[number];

/** The only currency of the Marketplace API. */
export type Currency = 'usd';

export interface LedgerEntry {
  /** `led_` then 24 base62 characters. */
  readonly id: string;
  readonly teamId: string;
  /** The store the movement pays for; null when it concerns no store. */
  readonly storeId: string | null;
  readonly kind: LedgerKind;
  /** Integer cents, at least 0. */
  readonly amountCents: number;
  readonly currency: Currency;
  /** The method paid with (a shared test id or the team's `pm_…`); null when none was involved. */
  readonly paymentMethodId: string | null;
  readonly billingPlanId: string | null;
  /** The processor's reference (authorization or charge id, or the refund's own). */
  readonly reference: string | null;
  /**
   * Names the one money movement this row records, e.g. `store_…:charge`. It is unique: recording
   * the same movement again (a retried or recovered step) finds the existing row.
   */
  readonly operationKey: string;
  /** Free text for people reading the ledger. */
  readonly memo: string | null;
  /** Epoch milliseconds. */
  readonly createdAt: number;
  /** The invoice this movement pays or refunds (docs/invoices.md); null for the others. */
  readonly invoiceId: string | null;
}

/** What `appendLedgerEntry` records: the id is assigned there, the currency is USD, absent fields are null. */
export interface NewLedgerEntry {
  readonly teamId: string;
  readonly storeId?: string | null;
  readonly kind: LedgerKind;
  readonly amountCents: number;
  readonly paymentMethodId?: string | null;
  readonly billingPlanId?: string | null;
  readonly reference?: string | null;
  readonly operationKey: string;
  readonly memo?: string | null;
  readonly createdAt: number;
  readonly invoiceId?: string | null;
}
