import { api, ApiError } from '../api.js';
import { h, replace, uid } from '../dom.js';
import { dateTime, money, statusBadge } from '../format.js';
import type { PageContext } from '../page.js';
import { storeNotification } from './store-notification.js';
import type { LedgerEntry, ListedStore } from '../wire.js';
import { ssoControl } from './store-sso.js';
import { usagePanel } from './store-usage.js';
import { invoicesPanel } from './store-invoices.js';

/** How often a store still `initializing` is read again; the server's poller moves it on. */
const POLL_MS = 1000;

/**
 * One store: its status (watched until it leaves `initializing`), plan, metadata, secrets'
 * names, connected projects, ledger entries, and deletion.
 */
export async function renderStore(main: HTMLElement, ctx: PageContext): Promise<void> {
  const id = ctx.params.id ?? '';
  const [{ store }, ledger] = await Promise.all([
    api<{ store: ListedStore }>(`/v1/storage/stores/${encodeURIComponent(id)}`),
    api<{ entries: LedgerEntry[] }>('/stockroom/v1/ledger', { query: { storeId: id, limit: 100 } }),
  ]);
  if (!ctx.isCurrent()) return;
  document.title = `${store.name} · Stockroom`;

  const status = h('span', { id: 'store-status' }, statusBadge(store.status));
  const notice = h('div', { id: 'store-notice' });
  showNotice(notice, store);
  const facts = h(
    'dl',
    { class: 'facts' },
    fact('Status', status),
    fact('Product', `${store.product.name ?? store.product.slug ?? ''} by ${store.product.integration.name}`),
    fact('Plan', store.billingPlan ? planText(store.billingPlan) : '—'),
    fact('Store id', h('code', {}, store.id)),
    fact('Provider resource id', h('code', {}, store.externalResourceId || '—')),
    fact('Installation', h('code', {}, store.product.integrationConfigurationId)),
    fact('Created', dateTime(store.createdAt)),
  );
  const metadata = Object.entries(store.metadata ?? {});

  replace(
    main,
    h('p', { class: 'crumbs' }, h('a', { href: '#/stores' }, '← Stores')),
    h('h1', {}, store.name),
    ssoControl(store.id, ctx),
    notice,
    facts,
    section('Metadata', metadata.length === 0 ? h('p', { class: 'muted' }, 'None.') : h('dl', { class: 'facts' }, ...metadata.map(([k, v]) => fact(labelOf(store, k), Array.isArray(v) ? (v.length > 0 ? v.join(', ') : 'none') : String(v))))),
    section(
      'Secrets',
      h('p', { class: 'help' }, 'Names only: values reach projects as environment variables and are never shown here.'),
      store.secrets.length === 0
        ? h('p', { class: 'muted' }, 'None yet.')
        : h('ul', { class: 'secrets' }, ...store.secrets.map((s) => h('li', {}, h('code', {}, s.name), h('span', { class: 'muted' }, ` ${s.length} characters`)))),
    ),
    section(
      'Connected projects',
      store.projectsMetadata.length === 0
        ? h('p', { class: 'muted' }, 'None.')
        : h('ul', {}, ...store.projectsMetadata.map((p) => h('li', {}, `${p.name} — ${p.environments.join(', ')}`))),
    ),
    usagePanel(store.id, ctx),
    invoicesPanel(store.id),
    section('Ledger', ledgerTable(ledger.entries)),
    section('Danger zone', deleteControl(store, ctx)),
  );

  if (store.status === 'initializing') watch(store.id, status, notice, ctx);
}

/**
 * The provider's notification about the store ("Provisioning", a warning…), as it is now: each
 * read of the store replaces it, so one that the provider cleared goes away.
 */
function showNotice(notice: HTMLElement, store: ListedStore): void {
  replace(notice, storeNotification(store.notification));
}

/** Reads the store until it leaves `initializing`, showing its notification and announcing the change. */
function watch(id: string, status: HTMLElement, notice: HTMLElement, ctx: PageContext): void {
  let timer = 0;
  const tick = async () => {
    try {
      const { store } = await api<{ store: ListedStore }>(`/v1/storage/stores/${encodeURIComponent(id)}`);
      if (!ctx.isCurrent()) return;
      showNotice(notice, store);
      if (store.status !== 'initializing') {
        replace(status, statusBadge(store.status));
        ctx.announce(`${store.name} is now ${store.status ?? 'unknown'}.`);
        return;
      }
    } catch (error) {
      if (!ctx.isCurrent()) return;
      if (error instanceof ApiError && error.status === 404) return;
    }
    timer = window.setTimeout(() => void tick(), POLL_MS);
  };
  timer = window.setTimeout(() => void tick(), POLL_MS);
  ctx.onLeave(() => window.clearTimeout(timer));
}

function deleteControl(store: ListedStore, ctx: PageContext): HTMLElement {
  const titleId = uid('delete-title');
  const error = h('p', { class: 'field-error', role: 'alert', hidden: true });
  const confirm = h('button', { type: 'button', class: 'danger', id: 'confirm-delete' }, 'Delete store');
  const cancel = h('button', { type: 'button', class: 'secondary' }, 'Cancel');
  const dialog = h(
    'dialog',
    { 'aria-labelledby': titleId },
    h('h2', { id: titleId }, `Delete ${store.name}?`),
    h('p', {}, 'The provider deletes the resource, connected projects lose its environment variables, and its secrets are wiped. This cannot be undone.'),
    error,
    h('div', { class: 'actions' }, cancel, confirm),
  );
  const open = h('button', { type: 'button', class: 'danger', id: 'delete-store' }, 'Delete this store…');
  open.addEventListener('click', () => {
    error.hidden = true;
    dialog.showModal();
    cancel.focus();
  });
  cancel.addEventListener('click', () => dialog.close());
  confirm.addEventListener('click', async () => {
    confirm.disabled = true;
    confirm.textContent = 'Deleting…';
    try {
      await api(`/v1/storage/stores/integration/${encodeURIComponent(store.id)}`, { method: 'DELETE' });
      dialog.close();
      ctx.announce(`${store.name} was deleted.`);
      ctx.navigate('#/stores');
    } catch (e) {
      error.textContent = e instanceof Error ? e.message : String(e);
      error.hidden = false;
    } finally {
      confirm.disabled = false;
      confirm.textContent = 'Delete store';
    }
  });
  return h('div', {}, open, dialog);
}

function ledgerTable(entries: readonly LedgerEntry[]): HTMLElement {
  if (entries.length === 0) return h('p', { class: 'muted' }, 'No money moved for this store.');
  return h(
    'table',
    { class: 'ledger' },
    h('caption', { class: 'visually-hidden' }, 'Ledger entries of this store'),
    h('thead', {}, h('tr', {}, ...['When', 'Kind', 'Amount', 'Payment method', 'Memo'].map((c) => h('th', { scope: 'col' }, c)))),
    h(
      'tbody',
      {},
      ...entries.map((e) =>
        h('tr', {}, h('td', {}, dateTime(e.createdAt)), h('td', {}, e.kind), h('td', { class: 'number' }, money(e.amountCents)), h('td', {}, e.paymentMethodId ?? '—'), h('td', {}, e.memo ?? '')),
      ),
    ),
  );
}

/** "Pro ($20.00/month)"; a plan whose cost is its name ("Free") says it once. */
function planText(plan: NonNullable<ListedStore['billingPlan']>): string {
  return plan.cost && plan.cost.trim().toLowerCase() !== plan.name.trim().toLowerCase() ? `${plan.name} (${plan.cost})` : plan.name;
}

/** A metadata key by the label its product's form gives it. */
function labelOf(store: ListedStore, key: string): string {
  const property = store.product.metadataSchema?.properties[key] as { 'ui:label'?: string } | undefined;
  return property?.['ui:label'] ?? key;
}

function fact(term: string, value: Node | string): HTMLElement[] {
  return [h('dt', {}, term), h('dd', {}, value)];
}

function section(title: string, ...content: Array<Node | null>): HTMLElement {
  const id = uid('section');
  return h('section', { 'aria-labelledby': id }, h('h2', { id }, title), ...content);
}
