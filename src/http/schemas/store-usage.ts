import { Type } from 'typebox';

/** One usage metric as the partner last reported it (Submit Billing Data); times in epoch ms. */
export const StoreUsageMetric = Type.Object({
  name: Type.String(),
  type: Type.Union([Type.Literal('total'), Type.Literal('interval'), Type.Literal('rate')]),
  units: Type.String(),
  dayValue: Type.Number(),
  periodValue: Type.Number(),
  planValue: Type.Union([Type.Number(), Type.Null()]),
  eod: Type.Number(),
  periodStart: Type.Number(),
  periodEnd: Type.Number(),
  updatedAt: Type.Number(),
});

/** The store's prepayment balance as the partner last reported it (Submit Prepayment Balances). */
export const StoreBalance = Type.Object({
  credit: Type.Union([Type.String(), Type.Null()]),
  nameLabel: Type.Union([Type.String(), Type.Null()]),
  currencyValueInCents: Type.Number(),
  timestamp: Type.Number(),
});

export const StoreUsageResponse = Type.Object({ usage: Type.Array(StoreUsageMetric), balance: Type.Union([StoreBalance, Type.Null()]) });
