import type { AppContext } from '../app-context.js';
import { getDefaultPaymentMethodId, listPaymentMethods } from '../db/payment-methods.js';
import type { PaymentMethodRef } from '../domain/payment.js';
import { TEST_PAYMENT_METHODS } from '../payments/test-processor.js';

/**
 * The payment methods a team may pay with (the shared test methods and its own) and its default,
 * with the processor-side source of each: the processor pays with a method's source.
 */
export async function teamPaymentMethods(ctx: AppContext, teamId: string): Promise<{ methods: PaymentMethodRef[]; defaultId: string | null; sources: Map<string, string> }> {
  const own = await listPaymentMethods(ctx.db, teamId);
  const sources = new Map<string, string>();
  for (const id of Object.keys(TEST_PAYMENT_METHODS)) sources.set(id, id);
  for (const m of own) sources.set(m.id, m.source);
  return {
    methods: [...Object.keys(TEST_PAYMENT_METHODS).map((id) => ({ id })), ...own.map((m) => ({ id: m.id }))],
    defaultId: await getDefaultPaymentMethodId(ctx.db, teamId),
    sources,
  };
}
