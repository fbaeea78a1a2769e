import { createHash } from 'node:crypto';
import type { PaymentOutcome, PaymentProcessor, PaymentRequest } from './payment-processor.js';

/**
 * The built-in processor (docs/rules.md §3): no money moves, but each test method behaves like
 * Stripe's card of the same name, so every payment path can be driven.
 */
export const TEST_PAYMENT_METHODS = {
  pm_card_visa: { brand: 'visa', last4: '4242', behaviour: 'succeed' },
  pm_card_mastercard: { brand: 'mastercard', last4: '4444', behaviour: 'succeed' },
  pm_card_chargeDeclined: { brand: 'visa', last4: '0002', behaviour: 'card_declined' },
  pm_card_chargeDeclinedInsufficientFunds: { brand: 'visa', last4: '9995', behaviour: 'insufficient_funds' },
} as const;

export type TestPaymentMethodId = keyof typeof TEST_PAYMENT_METHODS;

export function isTestPaymentMethod(id: string): id is TestPaymentMethodId {
  return Object.hasOwn(TEST_PAYMENT_METHODS, id);
}

export function createTestPaymentProcessor(): PaymentProcessor {
  // References derive from the idempotency key, so a retried call answers the same reference,
  // as a real processor does for a repeated idempotency key.
  const reference = (kind: string, key: string) => `${kind}_${createHash('sha256').update(key).digest('hex').slice(0, 24)}`;

  function attempt(kind: 'auth' | 'ch', input: PaymentRequest): PaymentOutcome {
    const method = isTestPaymentMethod(input.methodSource) ? TEST_PAYMENT_METHODS[input.methodSource] : undefined;
    if (!method) return { ok: false, declineCode: 'card_declined', message: 'The payment method is unknown to the processor.' };
    if (method.behaviour === 'card_declined') return { ok: false, declineCode: 'card_declined', message: 'Your card was declined.' };
    if (method.behaviour === 'insufficient_funds') {
      return { ok: false, declineCode: 'insufficient_funds', message: 'Your card has insufficient funds.' };
    }
    return { ok: true, reference: reference(kind, input.idempotencyKey) };
  }

  return {
    authorize: async (input) => attempt('auth', input),
    charge: async (input) => attempt('ch', input),
    refund: async (input) => ({ reference: reference('re', input.idempotencyKey) }),
    isSharedMethod: isTestPaymentMethod,
  };
}
