import type { Static } from 'typebox';
import type { StoreUsageResponse } from '../../http/schemas/store-usage.js';
import { api } from '../api.js';
import { h, replace, uid } from '../dom.js';
import { dateTime, money } from '../format.js';
import type { PageContext } from '../page.js';
import { dataTable } from '../table.js';

type StoreUsage = Static<typeof StoreUsageResponse>;

/**
 * The store's usage and prepayment balance as its partner last reported them (Submit Billing Data,
 * Submit Prepayment Balances): a section that fills itself once the read answers.
 */
export function usagePanel(storeId: string, ctx: PageContext): HTMLElement {
  const titleId = uid('usage');
  const body = h('div', { id: 'store-usage' }, h('p', { class: 'muted' }, 'Loading…'));
  void api<StoreUsage>(`/stockroom/v1/stores/${encodeURIComponent(storeId)}/usage`).then(
    (answer) => {
      if (ctx.isCurrent()) replace(body, balanceText(answer.balance), usageTable(answer.usage));
    },
    () => {
      if (ctx.isCurrent()) replace(body, h('p', { class: 'muted' }, 'Usage could not be read.'));
    },
  );
  return h('section', { 'aria-labelledby': titleId }, h('h2', { id: titleId }, 'Usage and balance'), body);
}

function balanceText(balance: StoreUsage['balance']): HTMLElement {
  if (!balance) return h('p', { class: 'muted', id: 'store-balance' }, 'No prepaid balance reported.');
  const label = balance.nameLabel ?? 'Balance';
  return h(
    'p',
    { id: 'store-balance' },
    `${label}: `,
    h('strong', {}, money(balance.currencyValueInCents)),
    balance.credit ? ` (${balance.credit})` : '',
    h('span', { class: 'muted' }, ` — as of ${dateTime(balance.timestamp)}`),
  );
}

function usageTable(usage: StoreUsage['usage']): HTMLElement {
  if (usage.length === 0) return h('p', { class: 'muted' }, 'No usage reported yet.');
  const format = new Intl.NumberFormat('en-US', { maximumFractionDigits: 4 });
  const amount = (value: number | null, units: string) => ({ text: value === null ? '—' : `${format.format(value)} ${units}`, number: true });
  const rows = usage.map((u) => [{ text: u.name }, amount(u.dayValue, u.units), amount(u.periodValue, u.units), amount(u.planValue, u.units), { text: dateTime(u.updatedAt) }]);
  return dataTable('usage', 'Latest usage of this store', ['Metric', 'Today', 'This period', 'Plan includes', 'Reported'], rows);
}
