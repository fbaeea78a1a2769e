import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { BillingPlan } from '../../src/domain/billing-plan-types.js';
import { decideTopUp, findThresholdProblems, periodStartOf, stoppedSince } from '../../src/domain/spend-thresholds.js';

/** The rules of docs/balances-and-thresholds.md, without I/O. */

const prepaid: BillingPlan = {
  id: 'prepaid',
  type: 'prepayment',
  name: 'Prepaid',
  description: '',
  scope: 'resource',
  minimumAmount: '5.00',
  maximumAmount: '500.00',
  maximumAmountAutoPurchasePerPeriod: '1000.00',
};
const keys = (plan: BillingPlan, minimumCents: number, purchaseCents: number, maximumPerPeriodCents: number) =>
  findThresholdProblems(plan, { minimumCents, purchaseCents, maximumPerPeriodCents }).map((p) => p.key);

test('a threshold within the plan and the CLI rules has no problem', () => {
  assert.deepEqual(keys(prepaid, 1000, 1000, 2500), []);
  assert.deepEqual(keys(prepaid, 0, 500, 100000), [], 'the bounds themselves are allowed');
});

test("the CLI's order rules: minimum ≤ spend, minimum ≤ limit, spend ≤ limit", () => {
  assert.deepEqual(keys(prepaid, 2000, 1000, 5000), ['minimumAmountInCents']);
  assert.deepEqual(keys(prepaid, 3000, 3000, 2000), ['minimumAmountInCents', 'maximumAmountPerPeriodInCents']);
});

test("the plan's purchase range and auto-purchase cap; a plan without bounds still needs 50 cents", () => {
  assert.deepEqual(keys(prepaid, 100, 499, 5000), ['purchaseAmountInCents']);
  assert.deepEqual(keys(prepaid, 100, 50001, 60000), ['purchaseAmountInCents']);
  assert.deepEqual(keys(prepaid, 100, 1000, 100001), ['maximumAmountPerPeriodInCents']);
  const open: BillingPlan = { id: 'open', type: 'prepayment', name: 'Open', description: '', scope: 'resource' };
  assert.deepEqual(keys(open, 0, 49, 10_000_000), ['purchaseAmountInCents']);
  assert.deepEqual(keys(open, 0, 50, 10_000_000), []);
});

test('a top-up buys the spend below the minimum while the month leaves room under the limit', () => {
  const t = { minimumCents: 1000, purchaseCents: 1000, maximumPerPeriodCents: 2500 };
  assert.deepEqual(decideTopUp(t, 1000, 0), { kind: 'none' }, 'at the minimum is not below it');
  assert.deepEqual(decideTopUp(t, 999, 0), { kind: 'buy', amountCents: 1000 });
  assert.deepEqual(decideTopUp(t, 0, 1500), { kind: 'buy', amountCents: 1000 }, '1500 + 1000 ≤ 2500');
  assert.deepEqual(decideTopUp(t, 0, 2000), { kind: 'limit-reached', spentCents: 2000 });
  assert.deepEqual(decideTopUp(t, 999, 0, true), { kind: 'stopped' }, 'a failed purchase stops it');
  assert.deepEqual(decideTopUp(t, 1000, 0, true), { kind: 'none' });
});

test('the period is the calendar month in UTC', () => {
  assert.equal(periodStartOf(Date.UTC(2026, 11, 31, 23, 59)), Date.UTC(2026, 11, 1));
  assert.equal(periodStartOf(Date.UTC(2027, 0, 1, 0, 0)), Date.UTC(2027, 0, 1));
});

test('a failed purchase stops a threshold until it is set again or the next month (UTC) begins', () => {
  const may = Date.UTC(2026, 4, 20);
  assert.equal(stoppedSince({ updatedAt: Date.UTC(2026, 3, 2) }, may), Date.UTC(2026, 4, 1), 'set last month: since the month began');
  assert.equal(stoppedSince({ updatedAt: Date.UTC(2026, 4, 10) }, may), Date.UTC(2026, 4, 10), 'set this month: since it was set');
});
