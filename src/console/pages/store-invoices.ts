import { api } from '../api.js';
import { h, replace, uid } from '../dom.js';
import { dateTime, money } from '../format.js';
import { dataTable } from '../table.js';
import type { StoreInvoice } from '../../http/presenters/invoice.js';

/**
 * The store page's invoices panel (docs/invoices.md): each invoice that bills the store with its
 * date, period, state and total (and what was refunded). It reads `/stockroom/v1/stores/{id}/invoices` on its own, so the rest of the page does
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
    // The balances are shown by the usage panel (store-usage.ts), from the same table.
    const { invoices } = await api<{ invoices: StoreInvoice[] }>(`/stockroom/v1/stores/${encodeURIComponent(storeId)}/invoices`);
    replace(body, invoiceTable(invoices));
  } catch (error) {
    replace(body, h('p', { class: 'error', role: 'alert' }, `Invoices could not be read: ${error instanceof Error ? error.message : String(error)}`));
  }
}

function invoiceTable(invoices: readonly StoreInvoice[]): HTMLElement {
  if (invoices.length === 0) return h('p', { class: 'muted' }, 'No invoices for this store.');
  return dataTable(
    'ledger',
    'Invoices of this store',
    ['Date', 'Period', 'State', 'Total', 'Memo'],
    invoices.map((i) => [
      { text: dateTime(i.invoiceDate) },
      { text: i.period.start === i.period.end ? 'one-off' : `${dateTime(i.period.start)} – ${dateTime(i.period.end)}` },
      { text: stateText(i) },
      { text: `${money(i.totalCents)}${i.refundCents !== null ? ` (${money(i.refundCents)} refunded)` : ''}`, number: true },
      { text: i.memo ?? (i.kind === 'prepayment' ? 'Prepaid credits' : '') },
    ]),
  );
}

function stateText(invoice: StoreInvoice): string {
  const state = invoice.state.replace('_', ' ');
  return invoice.notpaidReason && invoice.state === 'notpaid' ? `${state}: ${invoice.notpaidReason}` : state;
}
