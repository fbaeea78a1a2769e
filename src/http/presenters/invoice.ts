import { Type, type Static } from 'typebox';
import type { StoredBalance } from '../../db/invoices.js';
import { INVOICE_STATES, iso, type Invoice } from '../../domain/invoices.js';
import { formatCents } from '../../domain/money.js';

/** Optional text: absent rather than null, as the SDK's Get Invoice model reads it. */
const Opt = () => Type.Optional(Type.String());
const LineFields = {
  resourceId: Opt(),
  billingPlanId: Type.String(),
  start: Opt(),
  end: Opt(),
  name: Type.String(),
  details: Opt(),
};

/** Get Invoice's answer (`GetInvoiceResponseBody` of @vercel/sdk 1.28.35). */
export const PartnerInvoiceWire = Type.Object({
  invoiceId: Type.String(),
  externalId: Opt(),
  state: Type.Enum([...INVOICE_STATES]),
  invoiceDate: Type.String({ description: 'ISO 8601' }),
  period: Type.Object({ start: Type.String(), end: Type.String() }),
  memo: Opt(),
  items: Type.Array(Type.Object({ ...LineFields, price: Type.String(), quantity: Type.Number(), units: Type.String(), total: Type.String() })),
  discounts: Type.Optional(Type.Array(Type.Object({ ...LineFields, amount: Type.String() }))),
  total: Type.String({ description: 'USD decimal' }),
  test: Type.Optional(Type.Boolean()),
  paidAt: Opt(),
  refundedAt: Opt(),
  refundReason: Opt(),
  refundTotal: Opt(),
  created: Type.String(),
  updated: Type.String(),
});

export function presentPartnerInvoice(invoice: Invoice): Static<typeof PartnerInvoiceWire> {
  return {
    invoiceId: invoice.id,
    ...(invoice.externalId !== null ? { externalId: invoice.externalId } : {}),
    state: invoice.state,
    invoiceDate: iso(invoice.invoiceDate),
    period: { start: iso(invoice.period.start), end: iso(invoice.period.end) },
    ...(invoice.memo !== null ? { memo: invoice.memo } : {}),
    items: invoice.items.map((item) => ({ ...item })),
    ...(invoice.discounts !== null ? { discounts: invoice.discounts.map((d) => ({ ...d })) } : {}),
    total: formatCents(invoice.totalCents),
    ...(invoice.test ? { test: true } : {}),
    ...(invoice.paidAt !== null ? { paidAt: iso(invoice.paidAt) } : {}),
    ...(invoice.refundedAt !== null ? { refundedAt: iso(invoice.refundedAt) } : {}),
    ...(invoice.refundReason !== null ? { refundReason: invoice.refundReason } : {}),
    ...(invoice.refundCents !== null ? { refundTotal: formatCents(invoice.refundCents) } : {}),
    created: iso(invoice.createdAt),
    updated: iso(invoice.updatedAt),
  };
}

/** An invoice as the console lists it for a store (Stockroom's own route). */
export const StoreInvoiceWire = Type.Object({
  id: Type.String(),
  kind: Type.Enum(['partner', 'prepayment']),
  externalId: Type.Union([Type.String(), Type.Null()]),
  state: Type.Enum([...INVOICE_STATES]),
  test: Type.Boolean(),
  invoiceDate: Type.Integer({ description: 'epoch milliseconds' }),
  period: Type.Object({ start: Type.Integer(), end: Type.Integer() }),
  totalCents: Type.Integer(),
  refundCents: Type.Union([Type.Integer(), Type.Null()]),
  notpaidReason: Type.Union([Type.String(), Type.Null()]),
  memo: Type.Union([Type.String(), Type.Null()]),
});
export type StoreInvoice = Static<typeof StoreInvoiceWire>;

export function presentStoreInvoice(invoice: Invoice): StoreInvoice {
  return {
    id: invoice.id,
    kind: invoice.kind,
    externalId: invoice.externalId,
    state: invoice.state,
    test: invoice.test,
    invoiceDate: invoice.invoiceDate,
    period: { start: invoice.period.start, end: invoice.period.end },
    totalCents: invoice.totalCents,
    refundCents: invoice.refundCents,
    notpaidReason: invoice.notpaidReason,
    memo: invoice.memo,
  };
}

/** A prepayment balance the partner reported for the store's resource. */
export const StoreBalanceWire = Type.Object({
  resourceId: Type.Union([Type.String(), Type.Null()]),
  currencyValueInCents: Type.Integer(),
  credit: Type.Union([Type.String(), Type.Null()]),
  nameLabel: Type.Union([Type.String(), Type.Null()]),
  source: Type.String({ description: '`provision-purchase` or `balance-report`' }),
  invoiceId: Type.Union([Type.String(), Type.Null()]),
  reportedAt: Type.Integer({ description: 'epoch milliseconds, the partner’s timestamp' }),
});
export type StoreBalance = Static<typeof StoreBalanceWire>;

export function presentStoreBalance(balance: StoredBalance): StoreBalance {
  return { ...balance };
}
