import { api } from '../api.js';
import { h, replace, uid } from '../dom.js';
import { dateTime } from '../format.js';
import type { PageContext } from '../page.js';
import type { Billing, PaymentMethod, PaymentMethods } from '../wire.js';

/**
 * The team's billing state and payment methods: add a test method (it behaves like one of the
 * built-in test cards), make a method the default, remove one of the team's own.
 */
export async function renderBilling(main: HTMLElement, ctx: PageContext): Promise<void> {
  const [billing, methods] = await Promise.all([api<Billing>('/stockroom/v1/billing'), api<PaymentMethods>('/stockroom/v1/payment-methods')]);
  if (!ctx.isCurrent()) return;
  document.title = `Billing · ${ctx.team.name} · Stockroom`;
  const message = h('p', { class: 'field-error', role: 'alert', hidden: true });

  const act = async (work: () => Promise<unknown>, done: string) => {
    message.hidden = true;
    try {
      await work();
      ctx.announce(done);
      await renderBilling(main, ctx);
    } catch (error) {
      message.textContent = error instanceof Error ? error.message : String(error);
      message.hidden = false;
    }
  };

  const sources = methods.paymentMethods.filter((m) => m.shared);
  const source = h('select', { id: 'new-method-source' }, ...sources.map((m) => h('option', { value: m.source }, `${m.brand} ···· ${m.last4} (${m.source})`)));
  const makeDefault = h('input', { type: 'checkbox', id: 'new-method-default' });
  const add = h(
    'form',
    { class: 'card', 'aria-labelledby': 'add-method-title' },
    h('h2', { id: 'add-method-title' }, 'Add a test payment method'),
    h('p', { class: 'help' }, "Stockroom's processor is a test processor: a method you add behaves like the test card you pick (some always decline)."),
    h('div', { class: 'field' }, h('label', { for: 'new-method-source' }, 'Behaves like'), source),
    h('div', { class: 'field toggle' }, makeDefault, h('label', { for: 'new-method-default' }, 'Make it the team default')),
    h('div', { class: 'actions' }, h('button', { type: 'submit' }, 'Add payment method')),
  );
  add.addEventListener('submit', (event) => {
    event.preventDefault();
    void act(() => api('/stockroom/v1/payment-methods', { method: 'POST', body: { source: source.value, setDefault: makeDefault.checked } }), 'Payment method added.');
  });

  const stateId = uid('billing-state');
  replace(
    main,
    h('h1', {}, 'Billing'),
    h(
      'section',
      { 'aria-labelledby': stateId },
      h('h2', { id: stateId }, `Team ${ctx.team.name}`),
      h(
        'dl',
        { class: 'facts' },
        h('dt', {}, 'Billing state'),
        h('dd', { id: 'billing-state' }, h('span', { class: `badge badge-${billing.billingState}` }, billing.billingState === 'active' ? 'active' : 'soft-blocked')),
        h('dt', {}, 'Default payment method'),
        h('dd', { id: 'default-method' }, describe(methods.paymentMethods.find((m) => m.id === billing.defaultPaymentMethodId)) ?? 'none'),
      ),
      billing.billingState === 'soft_blocked' ? h('p', { class: 'notice notice-error' }, 'The team is soft-blocked for an unpaid invoice: it cannot create stores, free ones included.') : null,
    ),
    message,
    h(
      'section',
      { 'aria-labelledby': 'methods-title' },
      h('h2', { id: 'methods-title' }, 'Payment methods'),
      h(
        'table',
        { class: 'methods' },
        h('caption', { class: 'visually-hidden' }, 'Payment methods the team may use'),
        h('thead', {}, h('tr', {}, ...['Method', 'Id', 'Kind', 'Added', 'Actions'].map((c) => h('th', { scope: 'col' }, c)))),
        h('tbody', {}, ...methods.paymentMethods.map((m) => row(m, act))),
      ),
    ),
    add,
  );
}

function describe(method: PaymentMethod | undefined): string | undefined {
  return method ? `${method.brand} ···· ${method.last4} (${method.id})` : undefined;
}

function row(method: PaymentMethod, act: (work: () => Promise<unknown>, done: string) => Promise<void>): HTMLTableRowElement {
  const label = describe(method) ?? method.id;
  let setDefault: HTMLElement = h('span', { class: 'badge badge-available' }, 'default');
  if (!method.isDefault) {
    setDefault = h('button', { type: 'button', class: 'secondary', 'aria-label': `Make ${label} the default` }, 'Make default');
    setDefault.addEventListener('click', () => void act(() => api('/stockroom/v1/payment-methods/default', { method: 'PUT', body: { paymentMethodId: method.id } }), `${label} is now the default.`));
  }
  const remove = method.shared ? null : h('button', { type: 'button', class: 'secondary', 'aria-label': `Remove ${label}` }, 'Remove');
  remove?.addEventListener('click', () => void act(() => api(`/stockroom/v1/payment-methods/${encodeURIComponent(method.id)}`, { method: 'DELETE' }), `${label} was removed.`));
  return h(
    'tr',
    { 'data-method-id': method.id },
    h('th', { scope: 'row' }, `${method.brand} ···· ${method.last4}`),
    h('td', {}, h('code', {}, method.id)),
    h('td', {}, method.shared ? 'shared test method' : `team method, like ${method.source}`),
    h('td', {}, method.createdAt ? dateTime(method.createdAt) : '—'),
    h('td', {}, setDefault, remove ? ' ' : null, remove),
  );
}
