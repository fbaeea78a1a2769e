import { api } from '../api.js';
import { h, replace, uid } from '../dom.js';
import { dateTime, money } from '../format.js';
import { dataTable } from '../table.js';
import type { StoreBalance, StoreInvoice } from '../../http/presenters/invoice.js';

/**
 * The store page's invoices panel (docs/invoices.md): each invoice that bills the store with its
 * date, period, state and total (and what was refunded), and the prepaid balance its partner
 * reported. It reads `/stockroom/v1/stores/{id}/invoices` on its own, so the rest of the page does
 * not wait for it.
 */
export function invoicesPanel(storeId: string): HTMLElement {
  const id = uid('section');
  const body = h('div', { id: 'store-invoices' }, h('p', { class: 'muted' }, 'Loading invoices…'));
  void load(storeId, body);
  return h('section', { 'aria-labelledby': id }, h('h2', { id }, 'Invoices'), body);
}

async function load(storeId: string, body: HTMLElement): Promise<void> {
  try {
    const { invoices, balances } = await api<{ invoices: StoreInvoice[]; balances: StoreBalance[] }>(`/stockroom/v1/stores/${encodeURIComponent(storeId)}/invoices`);
    replace(body, balanceLine(balances), invoiceTable(invoices));
  } catch (error) {
    replace(body, h('p', { class: 'error', role: 'alert' }, `Invoices could not be read: ${error instanceof Error ? error.message : String(error)}`));
  }
}

function balanceLine(balances: readonly StoreBalance[]): HTMLElement | null {
  if (balances.length === 0) return null;
  return h(
    'p',
    { id: 'store-balance' },
    'Prepaid balance: ',
    ...balances.map((b, i) => h('span', {}, i > 0 ? ', ' : '', h('strong', {}, money(b.currencyValueInCents)), b.nameLabel ? ` ${b.nameLabel}` : '', ` (as of ${dateTime(b.reportedAt)})`)),
  );
}

function invoiceTable(invoices: readonly StoreInvoice[]): HTMLElement {
  if (invoices.length === 0) return h('p', { class: 'muted' }, 'No invoices for this store.');
  return dataTable(
    'Invoices of this store',
    ['Date', 'Period', 'State', 'Total', 'Memo'],
    invoices.map((i) => [
      h('td', {}, dateTime(i.invoiceDate)),
      h('td', {}, i.period.start === i.period.end ? 'one-off' : `${dateTime(i.period.start)} – ${dateTime(i.period.end)}`),
      h('td', {}, stateText(i)),
      h('td', { class: 'number' }, money(i.totalCents), i.refundCents !== null ? ` (${money(i.refundCents)} refunded)` : ''),
      h('td', {}, i.memo ?? (i.kind === 'prepayment' ? 'Prepaid credits' : '')),
    ]),
  );
}

function stateText(invoice: StoreInvoice): string {
  const state = invoice.state.replace('_', ' ');
  return invoice.notpaidReason && invoice.state === 'notpaid' ? `${state}: ${invoice.notpaidReason}` : state;
}
