import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { checkInvoice, checkRefund, invoiceEventPayload, type BilledResource, type Invoice, type InvoiceSubmission } from '../../src/domain/invoices.js';
import { lineCents } from '../../src/domain/money.js';
import { ApiError } from '../../src/errors.js';

/** The rules of Submit Invoice and Invoice Actions (docs/invoices.md, "Rules"), without I/O. */

const RESOURCES = new Map<string, BilledResource>([
  ['res_a', { storeId: 'store_a', billingPlan: { id: 'pro', type: 'subscription' } }],
  ['res_b', { storeId: 'store_b', billingPlan: { id: 'credits', type: 'prepayment' } }],
]);

function submission(overrides: Partial<InvoiceSubmission> = {}): InvoiceSubmission {
  return {
    invoiceDate: '2026-06-01T00:00:00Z',
    period: { start: '2026-05-01T00:00:00Z', end: '2026-06-01T00:00:00Z' },
    items: [{ resourceId: 'res_a', billingPlanId: 'pro', name: 'Pro', price: '20.00', quantity: 1, units: 'month', total: '20.00' }],
    ...overrides,
  };
}

function params(s: InvoiceSubmission): string[] {
  return checkInvoice(s, RESOURCES).problems.map((p) => p.param);
}

describe('lineCents: price × quantity to the cent, exactly', () => {
  test('decimal arithmetic, no float error', () => {
    assert.equal(lineCents('4.35', 1), 435); // 4.35 * 100 is 434.99999999999994 in floats
    assert.equal(lineCents('0.1', 3), 30);
    assert.equal(lineCents('20', 1.5), 3000);
  });
  test('sub-cent prices round half up', () => {
    assert.equal(lineCents('0.0004', 12_345), 494); // 4.938
    assert.equal(lineCents('0.005', 1), 1); // exactly half a cent
    assert.equal(lineCents('0.0049', 1), 0);
    assert.equal(lineCents('0.00001', 1e-7), 0); // an exponent-form quantity is read as decimal
  });
  test('refuses what is not a plain non-negative decimal', () => {
    for (const price of ['-1', '1e3', '$5', '1,000.00', '', '1.0000000000001']) assert.equal(lineCents(price, 1), undefined, price);
    assert.equal(lineCents('1', Number.NaN), undefined);
    assert.equal(lineCents('1', -1), undefined);
  });
});

describe('checkInvoice', () => {
  test('a valid invoice: dates in ms, total of items less discounts, each store and plan once', () => {
    const checked = checkInvoice(
      submission({
        items: [
          { resourceId: 'res_a', billingPlanId: 'pro', name: 'Pro', price: '20.00', quantity: 1, units: 'month', total: '20.00' },
          { resourceId: 'res_a', billingPlanId: 'pro', name: 'Reads', price: '0.0004', quantity: 12_345, units: 'reads', total: '4.94' },
        ],
        discounts: [{ billingPlanId: 'pro', name: 'Welcome', amount: '1.50' }],
      }),
      RESOURCES,
    );
    assert.ok('invoice' in checked, JSON.stringify(checked.problems));
    assert.equal(checked.invoice.totalCents, 2344);
    assert.deepEqual(checked.invoice.billed, [{ storeId: 'store_a', billingPlanId: 'pro' }]);
    assert.deepEqual(checked.invoice.period, { start: Date.parse('2026-05-01T00:00:00Z'), end: Date.parse('2026-06-01T00:00:00Z') });
  });

  test('every problem names its field', () => {
    assert.deepEqual(params(submission({ invoiceDate: 'yesterday' })), ['invoiceDate']);
    assert.deepEqual(params(submission({ period: { start: '2026-06-01T00:00:00Z', end: '2026-06-01T00:00:00Z' } })), ['period.end']);
    const item = submission().items[0]!;
    assert.deepEqual(params(submission({ items: [{ ...item, total: '19.99' }] })), ['items[0].total']);
    assert.deepEqual(params(submission({ items: [{ ...item, total: '20' }, { ...item, total: '20.001' }] })), ['items[1].total']);
    assert.deepEqual(params(submission({ items: [{ ...item, price: 'twenty' }] })), ['items[0].price']);
    const { resourceId: _omitted, ...noResource } = item;
    assert.deepEqual(params(submission({ items: [noResource] })), ['items[0].resourceId']);
    assert.deepEqual(params(submission({ items: [{ ...item, resourceId: 'res_other' }] })), ['items[0].resourceId']);
    assert.deepEqual(params(submission({ items: [{ ...item, billingPlanId: 'free' }] })), ['items[0].billingPlanId']);
    assert.deepEqual(params(submission({ items: [{ ...item, resourceId: 'res_b', billingPlanId: 'credits' }] })), ['items[0].billingPlanId']);
    assert.deepEqual(params(submission({ discounts: [{ billingPlanId: 'pro', name: 'Too much', amount: '20.01' }] })), ['discounts']);
    assert.deepEqual(params(submission({ discounts: [{ resourceId: 'res_other', billingPlanId: 'pro', name: 'x', amount: '1.00' }] })), ['discounts[0].resourceId']);
    assert.deepEqual(params(submission({ items: [{ ...item, start: 'soon' }] })), ['items[0].start']);
  });

  test('a discount equal to the items is a zero total', () => {
    const checked = checkInvoice(submission({ discounts: [{ billingPlanId: 'pro', name: 'Free month', amount: '20.00' }] }), RESOURCES);
    assert.ok('invoice' in checked);
    assert.equal(checked.invoice.totalCents, 0);
  });
});

const PAID: Invoice = {
  id: 'inv_1',
  installationId: 'icfg_1',
  teamId: 'team_1',
  integrationId: 'oac_1',
  kind: 'partner',
  state: 'paid',
  externalId: 'ext-1',
  test: false,
  testResult: null,
  invoiceDate: Date.parse('2026-06-01T00:00:00Z'),
  period: { start: Date.parse('2026-05-01T00:00:00Z'), end: Date.parse('2026-06-01T00:00:00Z') },
  memo: null,
  items: [],
  discounts: null,
  final: false,
  totalCents: 2344,
  paymentMethodId: 'pm_card_visa',
  chargeReference: 'ch_1',
  notpaidReason: null,
  paidAt: 1,
  refundCents: null,
  refundReason: null,
  refundedAt: null,
  createdAt: 1,
  updatedAt: 1,
};

describe('checkRefund', () => {
  test('up to what was paid, of a paid invoice only', () => {
    assert.equal(checkRefund(PAID, '23.44'), 2344);
    assert.equal(checkRefund(PAID, '0.01'), 1);
    const refused = (invoice: Invoice, total: string) => {
      try {
        checkRefund(invoice, total);
      } catch (error) {
        assert.ok(error instanceof ApiError);
        return [error.code, (error.extras as { param?: string }).param];
      }
      return undefined;
    };
    assert.deepEqual(refused(PAID, '23.45'), ['bad_request', 'total']);
    assert.deepEqual(refused(PAID, '0.00'), ['bad_request', 'total']);
    assert.deepEqual(refused(PAID, '-1'), ['bad_request', 'total']);
    assert.deepEqual(refused({ ...PAID, state: 'notpaid' }, '1.00'), ['conflict', undefined]);
    assert.deepEqual(refused({ ...PAID, state: 'refunded' }, '1.00'), ['conflict', undefined]);
  });
});

describe('invoiceEventPayload', () => {
  test('partner-api.md §1.3 fields, ISO dates and a USD decimal; a refund adds amount and reason', () => {
    assert.deepEqual(invoiceEventPayload(PAID, 'marketplace.invoice.paid'), {
      installationId: 'icfg_1',
      invoiceId: 'inv_1',
      externalInvoiceId: 'ext-1',
      period: { start: '2026-05-01T00:00:00.000Z', end: '2026-06-01T00:00:00.000Z' },
      invoiceDate: '2026-06-01T00:00:00.000Z',
      invoiceTotal: '23.44',
    });
    const refunded = invoiceEventPayload({ ...PAID, externalId: null, state: 'refunded', refundCents: 500, refundReason: 'outage' }, 'marketplace.invoice.refunded');
    assert.equal('externalInvoiceId' in refunded, false);
    assert.equal(refunded.amount, '5.00');
    assert.equal(refunded.reason, 'outage');
  });
});
