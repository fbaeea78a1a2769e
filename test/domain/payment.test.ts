import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import type { BillingPlan } from '../../src/domain/billing-plan-types.js';
import { MoneyFormatError } from '../../src/domain/money.js';
import { MIN_PREPAYMENT_CENTS, planPayment, resolvePaymentMethod, type PaymentInput } from '../../src/domain/payment.js';
import { ApiError } from '../../src/errors.js';

function plan(id: string, overrides: Partial<BillingPlan> = {}): BillingPlan {
  return { id, type: 'subscription', name: id, description: `${id} plan`, scope: 'resource', ...overrides };
}

const free = plan('free', { paymentMethodRequired: false });
const pro = plan('pro', { paymentMethodRequired: true, preauthorizationAmount: 10.53, initialCharge: '20.00' });
const visa = { id: 'pm_card_visa' };
const active = { billingState: 'active' } as const;
const blocked = { billingState: 'soft_blocked' } as const;

function prepayment(minimumAmount?: string, maximumAmount?: string): BillingPlan {
  return plan('prepay', { type: 'prepayment', paymentMethodRequired: true, minimumAmount, maximumAmount });
}

function errorCode(fn: () => unknown): string | undefined {
  try {
    fn();
    return undefined;
  } catch (error) {
    if (error instanceof ApiError) return error.code;
    throw error;
  }
}

describe('planPayment', () => {
  test('needs nothing for a free plan', () => {
    assert.deepEqual(planPayment({ plan: free, team: active }), { kind: 'none' });
  });

  test('needs nothing for a free plan even when a payment method was given', () => {
    assert.deepEqual(planPayment({ plan: free, paymentMethod: visa, team: active }), { kind: 'none' });
  });

  test('ignores an initial charge on a plan that requires no payment method', () => {
    const odd = plan('odd', { paymentMethodRequired: false, initialCharge: '5.00' });
    assert.deepEqual(planPayment({ plan: odd, team: active }), { kind: 'none' });
  });

  test('answers account_soft_blocked for a free plan when the team is soft-blocked', () => {
    assert.equal(errorCode(() => planPayment({ plan: free, team: blocked })), 'account_soft_blocked');
  });

  test('answers account_soft_blocked before payment_method_required for a paid plan', () => {
    assert.equal(errorCode(() => planPayment({ plan: pro, paymentMethod: null, team: blocked })), 'account_soft_blocked');
  });

  test('the soft-block error is a 402', () => {
    assert.throws(() => planPayment({ plan: free, team: blocked }), (error: unknown) => error instanceof ApiError && error.status === 402);
  });

  test('authorizes preauthorizationAmount and charges initialCharge on a paid subscription', () => {
    assert.deepEqual(planPayment({ plan: pro, paymentMethod: visa, team: active }), {
      kind: 'subscription',
      paymentMethodId: 'pm_card_visa',
      authorizeCents: 1053,
      initialChargeCents: 2000,
    });
  });

  test('authorizes and charges nothing on a paid subscription without amounts', () => {
    assert.deepEqual(planPayment({ plan: plan('bare'), paymentMethod: visa, team: active }), {
      kind: 'subscription',
      paymentMethodId: 'pm_card_visa',
      authorizeCents: 0,
      initialChargeCents: 0,
    });
  });

  const needsMethod: Array<[string, BillingPlan]> = [
    ['a subscription requiring a payment method', pro],
    ['a subscription with paymentMethodRequired absent', plan('implicit')],
    ['a prepayment plan', prepayment('10.00', '10.00')],
  ];
  for (const [name, input] of needsMethod) {
    test(`answers payment_method_required for ${name} without a payment method`, () => {
      assert.equal(errorCode(() => planPayment({ plan: input, team: active })), 'payment_method_required');
      assert.equal(errorCode(() => planPayment({ plan: input, paymentMethod: null, team: active })), 'payment_method_required');
    });
  }

  test('answers payment_method_required before checking the prepayment amount', () => {
    assert.equal(errorCode(() => planPayment({ plan: prepayment('10.00', '20.00'), team: active })), 'payment_method_required');
  });

  test('uses the fixed amount when minimumAmount equals maximumAmount and no amount is given', () => {
    assert.deepEqual(planPayment({ plan: prepayment('25.00', '25.00'), paymentMethod: visa, team: active }), {
      kind: 'prepayment',
      paymentMethodId: 'pm_card_visa',
      amountCents: 2500,
    });
  });

  type AmountCase = [string, string | undefined, string | undefined, number | undefined, number | 'invalid'];
  const amounts: AmountCase[] = [
    ['accepts the fixed amount when given explicitly', '25.00', '25.00', 2500, 2500],
    ['rejects another amount on a fixed-amount plan', '25.00', '25.00', 2600, 'invalid'],
    ['requires an amount when minimum and maximum differ', '10.00', '100.00', undefined, 'invalid'],
    ['accepts the minimum itself', '10.00', '100.00', 1000, 1000],
    ['accepts the maximum itself', '10.00', '100.00', 10000, 10000],
    ['rejects one cent below the minimum', '10.00', '100.00', 999, 'invalid'],
    ['rejects one cent above the maximum', '10.00', '100.00', 10001, 'invalid'],
    ['requires an amount when only a minimum is set', '10.00', undefined, undefined, 'invalid'],
    ['has no upper bound when only a minimum is set', '10.00', undefined, 1_000_000, 1_000_000],
    ['uses 50 cents as the minimum when only a maximum is set', undefined, '100.00', 50, 50],
    ['rejects 49 cents when only a maximum is set', undefined, '100.00', 49, 'invalid'],
    ['requires an amount when the plan sets no bounds', undefined, undefined, undefined, 'invalid'],
    ['rejects a fractional amount of cents', '10.00', '100.00', 1500.5, 'invalid'],
    ['rejects a negative amount', undefined, undefined, -100, 'invalid'],
    ['rejects NaN', undefined, undefined, Number.NaN, 'invalid'],
  ];
  for (const [name, min, max, requested, expected] of amounts) {
    test(`prepayment: ${name}`, () => {
      const input: PaymentInput = { plan: prepayment(min, max), prepaymentAmountCents: requested, paymentMethod: visa, team: active };
      if (expected === 'invalid') {
        assert.equal(errorCode(() => planPayment(input)), 'invalid_prepayment_amount');
      } else {
        assert.deepEqual(planPayment(input), { kind: 'prepayment', paymentMethodId: 'pm_card_visa', amountCents: expected });
      }
    });
  }

  test('explains the allowed range and names the parameter when the amount is out of range', () => {
    const input: PaymentInput = { plan: prepayment('10.00', '100.00'), prepaymentAmountCents: 5, paymentMethod: visa, team: active };
    assert.throws(
      () => planPayment(input),
      (error: unknown) =>
        error instanceof ApiError &&
        error.extras.param === 'prepaymentAmountCents' &&
        error.message.includes('between 1000 (USD 10.00) and 10000 (USD 100.00)'),
    );
  });

  test('throws MoneyFormatError, not an ApiError, when the plan carries a malformed amount', () => {
    const broken = plan('broken', { paymentMethodRequired: true, initialCharge: '$20' });
    assert.throws(() => planPayment({ plan: broken, paymentMethod: visa, team: active }), MoneyFormatError);
  });
});

describe('planPayment properties', () => {
  const range = fc
    .tuple(fc.integer({ min: MIN_PREPAYMENT_CENTS, max: 10_000_000 }), fc.integer({ min: 0, max: 10_000_000 }))
    .map(([min, width]) => [min, min + width] as const);
  const dollars = (cents: number): string => (cents / 100).toFixed(2);

  test('accepts every prepayment amount inside [minimumAmount, maximumAmount]', () => {
    fc.assert(
      fc.property(range, fc.double({ min: 0, max: 1, noNaN: true }), ([min, max], t) => {
        const amount = Math.min(max, min + Math.floor((max - min) * t));
        const result = planPayment({ plan: prepayment(dollars(min), dollars(max)), prepaymentAmountCents: amount, paymentMethod: visa, team: active });
        return result.kind === 'prepayment' && result.amountCents === amount;
      }),
    );
  });

  test('rejects every prepayment amount outside [minimumAmount, maximumAmount]', () => {
    fc.assert(
      fc.property(range, fc.integer({ min: 1, max: 10_000_000 }), fc.boolean(), ([min, max], distance, below) => {
        const amount = below ? min - distance : max + distance;
        const input: PaymentInput = { plan: prepayment(dollars(min), dollars(max)), prepaymentAmountCents: amount, paymentMethod: visa, team: active };
        return errorCode(() => planPayment(input)) === 'invalid_prepayment_amount';
      }),
    );
  });
});

describe('resolvePaymentMethod', () => {
  const methods = [{ id: 'pm_card_visa' }, { id: 'pm_card_mastercard' }, { id: 'pm_team1' }];

  test('uses the requested method when it belongs to the team', () => {
    assert.equal(resolvePaymentMethod('pm_card_mastercard', methods, 'pm_team1'), methods[1]);
  });

  test('answers invalid_payment_method quoting the id when the requested method is not the team\'s', () => {
    assert.throws(
      () => resolvePaymentMethod('pm_other', methods, 'pm_team1'),
      (error: unknown) =>
        error instanceof ApiError &&
        error.code === 'invalid_payment_method' &&
        error.message.includes('"pm_other"') &&
        error.extras.param === 'paymentMethodId',
    );
  });

  test('falls back to the team default when no method is requested', () => {
    assert.equal(resolvePaymentMethod(undefined, methods, 'pm_team1'), methods[2]);
  });

  test('returns null when nothing is requested and the team has no default', () => {
    assert.equal(resolvePaymentMethod(undefined, methods, null), null);
    assert.equal(resolvePaymentMethod(undefined, methods, undefined), null);
  });

  test('returns null when the default is no longer one of the team\'s methods', () => {
    assert.equal(resolvePaymentMethod(undefined, methods, 'pm_removed'), null);
  });
});
