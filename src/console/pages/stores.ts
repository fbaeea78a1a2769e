import { api } from '../api.js';
import { h, replace } from '../dom.js';
import { dateTime, statusBadge } from '../format.js';
import type { PageContext } from '../page.js';
import { showMoreButton } from '../show-more.js';
import type { ListedStore } from '../wire.js';

/** Stores per page; "Show more" reads the next page. */
const PAGE_SIZE = 50;

interface StoreList {
  readonly stores: ListedStore[];
  readonly pagination: { readonly next: number | null; readonly nextCursor?: string | null };
}

/** The team's stores, newest first, with status, plan and connected projects. */
export async function renderStores(main: HTMLElement, ctx: PageContext): Promise<void> {
  const first = await api<StoreList>('/v1/storage/stores', { query: { limit: PAGE_SIZE } });
  if (!ctx.isCurrent()) return;
  document.title = `Stores · ${ctx.team.name} · Stockroom`;
  const heading = h('div', { class: 'page-head' }, h('h1', {}, 'Stores'), h('a', { class: 'button', href: '#/new' }, 'Create store'));
  if (first.stores.length === 0) {
    replace(main, heading, h('p', { class: 'empty' }, `Team ${ctx.team.name} has no stores yet. `, h('a', { href: '#/new' }, 'Create the first one.')));
    return;
  }
  const body = h('tbody', {});
  const table = h(
    'table',
    { class: 'stores' },
    h('caption', { class: 'visually-hidden' }, `Stores of team ${ctx.team.name}`),
    h('thead', {}, h('tr', {}, ...['Name', 'Product', 'Status', 'Plan', 'Projects', 'Created'].map((c) => h('th', { scope: 'col' }, c)))),
    body,
  );
  const failed = h('p', { class: 'field-error', role: 'alert', hidden: true });
  const add = (stores: readonly ListedStore[]) => body.append(...stores.map(row));
  add(first.stores);
  const more = showMoreButton({
    ctx,
    cursor: first.pagination.nextCursor ?? null,
    load: async (cursor) => {
      const page = await api<StoreList>('/v1/storage/stores', { query: { limit: PAGE_SIZE, cursor } });
      return { items: page.stores, nextCursor: page.pagination.nextCursor ?? null };
    },
    add,
    failed,
    noun: 'stores',
  });
  replace(main, heading, table, more, failed);
}

function row(store: ListedStore): HTMLTableRowElement {
  const projects = store.projectsMetadata.map((p) => p.name);
  return h(
    'tr',
    { 'data-store-id': store.id },
    h('th', { scope: 'row' }, h('a', { href: `#/stores/${store.id}` }, store.name)),
    h('td', {}, store.product.name ?? store.product.slug ?? ''),
    h('td', {}, statusBadge(store.status)),
    h('td', {}, store.billingPlan?.name ?? '—'),
    h('td', {}, projects.length > 0 ? projects.join(', ') : h('span', { class: 'muted' }, 'none')),
    h('td', {}, dateTime(store.createdAt)),
  );
}
