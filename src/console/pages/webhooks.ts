import { api } from '../api.js';
import { h, replace } from '../dom.js';
import { dateTime } from '../format.js';
import type { PageContext } from '../page.js';
import { showMoreButton } from '../show-more.js';
import type { WebhookDelivery, WebhookDeliveryList } from '../wire.js';

/** Deliveries per page; "Show more" reads the next page. */
const PAGE_SIZE = 50;

/** States a Redeliver may restart (a pending event is delivered or retried already). */
const REDELIVERABLE = new Set(['delivered', 'failed', 'undeliverable']);

/**
 * The webhooks Stockroom sent (or is sending) to partners for the team's installations, newest
 * first: state, attempts, the last answer, and a Redeliver button (docs/webhooks.md).
 */
export async function renderWebhooks(main: HTMLElement, ctx: PageContext): Promise<void> {
  const first = await api<WebhookDeliveryList>('/stockroom/v1/webhook-deliveries', { query: { limit: PAGE_SIZE } });
  if (!ctx.isCurrent()) return;
  document.title = `Webhook deliveries · ${ctx.team.name} · Stockroom`;
  const heading = h('h1', {}, 'Webhook deliveries');
  const intro = h(
    'p',
    { class: 'help' },
    'What Stockroom told the partners of this team’s integrations: installs removed, stores connected to projects and disconnected. Each event is sent, signed, until the partner answers 2xx, retried with growing waits.',
  );
  if (first.deliveries.length === 0) {
    replace(main, heading, intro, h('p', { class: 'empty' }, `No webhooks for team ${ctx.team.name} yet.`));
    return;
  }
  const message = h('p', { class: 'field-error', role: 'alert', hidden: true });
  const body = h('tbody', {});
  const table = h(
    'table',
    { class: 'webhooks' },
    h('caption', { class: 'visually-hidden' }, `Webhook deliveries of team ${ctx.team.name}`),
    h('thead', {}, h('tr', {}, ...['Event', 'Installation', 'State', 'Attempts', 'Last status', 'Last answer', 'Created', 'Actions'].map((c) => h('th', { scope: 'col' }, c)))),
    body,
  );

  const redeliver = async (delivery: WebhookDelivery, button: HTMLButtonElement) => {
    button.disabled = true;
    message.hidden = true;
    try {
      const updated = await api<WebhookDelivery>(`/stockroom/v1/webhook-deliveries/${encodeURIComponent(delivery.id)}/redeliver`, { method: 'POST' });
      if (!ctx.isCurrent()) return;
      body.querySelector(`tr[data-delivery-id="${delivery.id}"]`)?.replaceWith(row(updated, redeliver));
      ctx.announce(`${delivery.type} ${delivery.id} will be sent again.`);
    } catch (error) {
      message.textContent = `${delivery.id} could not be redelivered: ${error instanceof Error ? error.message : String(error)}`;
      message.hidden = false;
      button.disabled = false;
    }
  };

  const add = (deliveries: readonly WebhookDelivery[]) => body.append(...deliveries.map((d) => row(d, redeliver)));
  add(first.deliveries);
  const more = showMoreButton({
    ctx,
    cursor: first.pagination.nextCursor,
    load: async (cursor) => {
      const page = await api<WebhookDeliveryList>('/stockroom/v1/webhook-deliveries', { query: { limit: PAGE_SIZE, cursor } });
      return { items: page.deliveries, nextCursor: page.pagination.nextCursor };
    },
    add,
    failed: message,
    noun: 'deliveries',
  });
  replace(main, heading, intro, message, table, more);
}

function row(delivery: WebhookDelivery, redeliver: (delivery: WebhookDelivery, button: HTMLButtonElement) => Promise<void>): HTMLTableRowElement {
  let action: HTMLElement = h('span', { class: 'muted' }, delivery.nextAttemptAt !== null ? `next try ${dateTime(delivery.nextAttemptAt)}` : '—');
  if (REDELIVERABLE.has(delivery.state)) {
    const button = h('button', { type: 'button', class: 'secondary', 'aria-label': `Redeliver ${delivery.type} ${delivery.id}` }, 'Redeliver');
    button.addEventListener('click', () => void redeliver(delivery, button));
    action = button;
  }
  return h(
    'tr',
    { 'data-delivery-id': delivery.id },
    h('th', { scope: 'row' }, h('span', {}, delivery.type), h('br', {}), h('code', { class: 'muted' }, delivery.id)),
    h('td', {}, h('code', {}, delivery.installationId)),
    h('td', {}, h('span', { class: `badge badge-webhook-${delivery.state}` }, delivery.state)),
    h('td', { class: 'number' }, String(delivery.attempts)),
    h('td', {}, delivery.lastStatus === null ? '—' : String(delivery.lastStatus)),
    h('td', { class: 'answer' }, delivery.lastResponse === null ? '—' : h('code', { title: delivery.lastResponse }, shorten(delivery.lastResponse))),
    h('td', {}, dateTime(delivery.createdAt)),
    h('td', {}, action),
  );
}

function shorten(text: string): string {
  return text.length > 80 ? `${text.slice(0, 80)}…` : text;
}
