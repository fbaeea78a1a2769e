/**
 * The port every payment processor implements. Amounts are integer cents, USD.
 * Every call carries an idempotency key so that a retried or recovered step moves money once.
 */
export interface PaymentProcessor {
  /** Checks that the method can pay `amountCents` (a check, not a charge; docs/rules.md §3). */
  authorize(input: PaymentRequest): Promise<PaymentOutcome>;
  /** Takes `amountCents` from the method. */
  charge(input: PaymentRequest): Promise<PaymentOutcome>;
  /** Gives back (part of) a charge, identified by the reference `charge` returned. */
  refund(input: { chargeReference: string; amountCents: number; idempotencyKey: string }): Promise<{ reference: string }>;
  /** Whether `paymentMethodId` is one this processor knows for every team (the test methods). */
  isSharedMethod(paymentMethodId: string): boolean;
}

export interface PaymentRequest {
  /** The processor-side method: a shared test method, or the source of a team's own method. */
  readonly methodSource: string;
  readonly amountCents: number;
  readonly idempotencyKey: string;
}

export type PaymentOutcome =
  | { readonly ok: true; readonly reference: string }
  | { readonly ok: false; readonly declineCode: 'card_declined' | 'insufficient_funds'; readonly message: string };
