/**
 * Payment methods a team registers through Stockroom's extension API (docs/rules.md §3). Stockroom
 * stores no card data: a team's method names the processor-side method it `source`s from, the way
 * attaching a Stripe test card gives a new `pm_…` that behaves like `pm_card_visa`.
 */

/** A payment method owned by one team. Removed methods are never returned as `PaymentMethod`. */
export interface PaymentMethod {
  /** `pm_` then 24 base62 characters (`newId('pm')`), unlike the shared test ids such as `pm_card_visa`. */
  readonly id: string;
  readonly teamId: string;
  /** The processor-side method it behaves like: one of the built-in test methods. */
  readonly source: string;
  /** Card brand as the processor names it (`visa`, `mastercard`), copied from the source. */
  readonly brand: string;
  /** Last four digits of the card number, copied from the source. */
  readonly last4: string;
  /** Epoch milliseconds. */
  readonly createdAt: number;
}

/**
 * A method a team may pay with: one of its own, or one the processor shares with every team (the
 * test methods, whose `id` and `source` are the same). This is the list `resolvePaymentMethod`
 * expects as `teamMethods`; pay with `source`.
 */
export interface UsablePaymentMethod {
  readonly id: string;
  readonly source: string;
  readonly brand: string;
  readonly last4: string;
  /** True for a method every team may use, false for the team's own. */
  readonly shared: boolean;
  /** Epoch milliseconds; null for a shared method, which no team created. */
  readonly createdAt: number | null;
}

/** The team's own method as a usable one. */
export function ownUsableMethod(method: PaymentMethod): UsablePaymentMethod {
  const { id, source, brand, last4, createdAt } = method;
  return { id, source, brand, last4, shared: false, createdAt };
}
