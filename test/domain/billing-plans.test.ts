import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import type { BillingPlan } from '../../src/domain/billing-plan-types.js';
import { isFreePlan, isRequestedPlanMissing, planNeedsPayment, selectBillingPlan, withdrawnPlanError } from '../../src/domain/billing-plans.js';
import { ApiError } from '../../src/errors.js';

function plan(id: string, overrides: Partial<BillingPlan> = {}): BillingPlan {
  return { id, type: 'subscription', name: id, description: `${id} plan`, scope: 'resource', ...overrides };
}

const free = plan('free', { paymentMethodRequired: false });
const pro = plan('pro', { paymentMethodRequired: true, preauthorizationAmount: 5 });
const prepay = plan('prepay10', { type: 'prepayment', paymentMethodRequired: true, minimumAmount: '10.00' });

function assertApiError(fn: () => unknown, code: string, messageIncludes: readonly string[] = []): ApiError {
  let caught: unknown;
  assert.throws(fn, (error: unknown) => {
    caught = error;
    return error instanceof ApiError && error.code === code;
  });
  const error = caught as ApiError;
  for (const part of messageIncludes) assert.ok(error.message.includes(part), `"${error.message}" should mention ${part}`);
  return error;
}

describe('isFreePlan', () => {
  const cases: Array<[string, BillingPlan, boolean]> = [
    ['a subscription with paymentMethodRequired false', free, true],
    ['a subscription with paymentMethodRequired true', pro, false],
    ['a subscription without paymentMethodRequired (absent means required)', plan('x'), false],
    ['a disabled free subscription', plan('x', { paymentMethodRequired: false, disabled: true }), false],
    ['a subscription with disabled false', plan('x', { paymentMethodRequired: false, disabled: false }), true],
    ['a prepayment plan even with paymentMethodRequired false', plan('x', { type: 'prepayment', paymentMethodRequired: false }), false],
  ];
  for (const [name, input, expected] of cases) {
    test(`${expected ? 'counts' : 'does not count'} ${name} as free`, () => {
      assert.equal(isFreePlan(input), expected);
    });
  }
});

describe('planNeedsPayment', () => {
  const cases: Array<[string, BillingPlan, boolean]> = [
    ['a free subscription', free, false],
    ['a paid subscription', pro, true],
    ['a subscription without paymentMethodRequired', plan('x'), true],
    ['a prepayment plan', prepay, true],
    ['a prepayment plan with paymentMethodRequired false', plan('x', { type: 'prepayment', paymentMethodRequired: false }), true],
  ];
  for (const [name, input, expected] of cases) {
    test(`${name} ${expected ? 'needs' : 'does not need'} a payment method`, () => {
      assert.equal(planNeedsPayment(input), expected);
    });
  }
});

describe('selectBillingPlan', () => {
  test('uses the first free plan when billingPlanId is omitted', () => {
    const second = plan('free2', { paymentMethodRequired: false });
    assert.equal(selectBillingPlan([pro, free, second], undefined), free);
  });

  test('skips a disabled free plan when billingPlanId is omitted', () => {
    const disabled = plan('old-free', { paymentMethodRequired: false, disabled: true });
    assert.equal(selectBillingPlan([disabled, pro, free]), free);
  });

  test('answers no_free_plan listing the enabled paid plan ids when no plan is free', () => {
    const retired = plan('retired', { disabled: true });
    const error = assertApiError(() => selectBillingPlan([pro, retired, prepay]), 'no_free_plan', ['pro, prepay10']);
    assert.ok(!error.message.includes('retired'));
    assert.equal(error.status, 400);
  });

  test('answers no_free_plan when the product has no plans at all', () => {
    assertApiError(() => selectBillingPlan([]), 'no_free_plan');
  });

  test('uses the requested plan when billingPlanId names a listed plan', () => {
    assert.equal(selectBillingPlan([free, pro, prepay], 'prepay10'), prepay);
  });

  test('allows choosing a free plan by id', () => {
    assert.equal(selectBillingPlan([pro, free], 'free'), free);
  });

  test('answers invalid_billing_plan quoting the id when billingPlanId is not listed', () => {
    const error = assertApiError(() => selectBillingPlan([free, pro], 'enterprise'), 'invalid_billing_plan', ['"enterprise"']);
    assert.equal(error.extras.param, 'billingPlanId');
  });

  test('answers invalid_billing_plan when billingPlanId names a disabled plan', () => {
    const retired = plan('retired', { disabled: true });
    assertApiError(() => selectBillingPlan([free, retired], 'retired'), 'invalid_billing_plan', ['"retired"']);
  });

  test('treats an empty billingPlanId as a plan id, not as omitted', () => {
    assertApiError(() => selectBillingPlan([free], ''), 'invalid_billing_plan');
  });
});

describe('selectBillingPlan properties', () => {
  const planArbitrary = fc.record({
    id: fc.constantFrom('a', 'b', 'c', 'd', 'e', 'f'),
    type: fc.constantFrom('prepayment' as const, 'subscription' as const),
    paymentMethodRequired: fc.option(fc.boolean(), { nil: undefined }),
    disabled: fc.option(fc.boolean(), { nil: undefined }),
  });
  const plansArbitrary = fc.array(
    planArbitrary.map((fields) => plan(fields.id, fields)),
    { maxLength: 8 },
  );

  test('never returns a disabled plan, whether or not an id was given', () => {
    fc.assert(
      fc.property(plansArbitrary, fc.option(fc.constantFrom('a', 'b', 'c', 'x'), { nil: undefined }), (plans, id) => {
        try {
          return selectBillingPlan(plans, id).disabled !== true;
        } catch (error) {
          return error instanceof ApiError;
        }
      }),
    );
  });

  test('returns the first free plan, or throws no_free_plan, when no id was given', () => {
    fc.assert(
      fc.property(plansArbitrary, (plans) => {
        const firstFree = plans.find(isFreePlan);
        try {
          const chosen = selectBillingPlan(plans);
          return chosen === firstFree && !planNeedsPayment(chosen);
        } catch (error) {
          return firstFree === undefined && error instanceof ApiError && error.code === 'no_free_plan';
        }
      }),
    );
  });

  test('returns a plan with the requested id whenever one is enabled, else invalid_billing_plan', () => {
    fc.assert(
      fc.property(plansArbitrary, fc.constantFrom('a', 'b', 'x'), (plans, id) => {
        const first = plans.find((candidate) => candidate.id === id);
        try {
          return selectBillingPlan(plans, id) === first;
        } catch (error) {
          return (first === undefined || first.disabled === true) && error instanceof ApiError && error.code === 'invalid_billing_plan';
        }
      }),
    );
  });
});

describe('withdrawnPlanError', () => {
  const general = [free, pro, prepay];
  const withdrawnFree = [pro, prepay];

  test('a free plan the product offers in general but not to this installation: no_free_plan saying it was withdrawn, naming the plans still offered', () => {
    const error = withdrawnPlanError(withdrawnFree, general, undefined, 'icfg_1');
    assert.ok(error instanceof ApiError);
    assert.equal(error.code, 'no_free_plan');
    for (const part of ['icfg_1', 'right now', 'withdrawn its free plan "free"', 'free tier is used up', 'Plans still offered: "pro" (pro), "prepay10" (prepay10).']) {
      assert.ok(error.message.includes(part), `${error.message} should mention ${part}`);
    }
  });

  test('naming the withdrawn plan: invalid_billing_plan saying it is not offered now, with param billingPlanId', () => {
    const error = withdrawnPlanError(withdrawnFree, general, 'free', 'icfg_1');
    assert.equal(error?.code, 'invalid_billing_plan');
    assert.equal(error?.extras?.param, 'billingPlanId');
    assert.ok(error?.message.includes('"free" (free) exists but is not offered to installation icfg_1 right now'), error?.message);
  });

  test('a withdrawn paid plan is "for now", not blamed on a free tier', () => {
    const error = withdrawnPlanError([free, prepay], general, 'pro', 'icfg_1');
    assert.ok(error?.message.includes('withdrawn it from this installation for now.'), error?.message);
  });

  test('says so when nothing else is offered', () => {
    const error = withdrawnPlanError([], [free], undefined, 'icfg_1');
    assert.ok(error?.message.endsWith('No other plan is offered right now.'), error?.message);
  });

  const noExplanation: Array<[string, readonly BillingPlan[], readonly BillingPlan[], string | undefined]> = [
    ['the installation is offered a free plan', general, general, undefined],
    ['the named plan is offered', withdrawnFree, general, 'pro'],
    ['the product has no free plan anywhere', [pro], [pro], undefined],
    ['the named plan exists nowhere', withdrawnFree, general, 'platinum'],
    ['the named plan is disabled in general too', withdrawnFree, [plan('free', { paymentMethodRequired: false, disabled: true }), pro], 'free'],
    ['the general list is empty (the provider could not say)', withdrawnFree, [], undefined],
  ];
  for (const [name, offered, all, requested] of noExplanation) {
    test(`leaves selectBillingPlan's answer when ${name}`, () => {
      assert.equal(withdrawnPlanError(offered, all, requested, 'icfg_1'), undefined);
    });
  }

  test('isRequestedPlanMissing: a named plan absent, or no free plan when none is named', () => {
    assert.equal(isRequestedPlanMissing(general), false);
    assert.equal(isRequestedPlanMissing(withdrawnFree), true);
    assert.equal(isRequestedPlanMissing(withdrawnFree, 'pro'), false);
    assert.equal(isRequestedPlanMissing(withdrawnFree, 'free'), true);
  });
});
