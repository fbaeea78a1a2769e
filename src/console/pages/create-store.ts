import { api, ApiError, type FieldError } from '../api.js';
import { h, replace } from '../dom.js';
import { describeCreateError, fieldMessage } from '../messages.js';
import { buildMetadataForm, requiredMark, type MetadataForm } from '../metadata-form.js';
import type { CreatePrefill, PageContext } from '../page.js';
import { buildPlanPicker, type PlanPicker } from '../plan-picker.js';
import type { Billing, BillingPlan, Installation, ListedStore, PaymentMethods, Product, ProductsOfInstallation } from '../wire.js';

/** Plans are re-fetched with the form's metadata (quotes may depend on it) this long after the last change. */
const PLAN_REFRESH_MS = 300;

/**
 * "Create store", like Vercel's dashboard: an installed integration and one of its products, the
 * form its `metadataSchema` describes, a plan from the provider's list, the payment it needs,
 * then `POST /v1/storage/stores/integration/direct`. Errors come back next to their fields.
 */
export async function renderCreateStore(main: HTMLElement, ctx: PageContext): Promise<void> {
  const prefill = ctx.takePrefill();
  const [installations, methods, billing] = await Promise.all([
    api<Installation[]>('/v1/integrations/configurations', { query: { view: 'account' } }),
    api<PaymentMethods>('/stockroom/v1/payment-methods'),
    api<Billing>('/stockroom/v1/billing'),
  ]);
  if (!ctx.isCurrent()) return;
  document.title = `Create store · ${ctx.team.name} · Stockroom`;
  if (installations.length === 0) {
    replace(main, h('h1', {}, 'Create store'), h('p', { class: 'empty' }, `Team ${ctx.team.name} has no integration installed yet. Once an administrator installs one, its products can be created here.`));
    return;
  }

  const summary = h('div', { class: 'error-summary', role: 'alert', tabindex: '-1', hidden: true });
  const installationSelect = h(
    'select',
    { id: 'installation' },
    // Named the way a person knows it: the integration's name and slug (the id is on the store page).
    ...installations.map((i) => h('option', { value: i.id, selected: i.slug === prefill?.integration }, `${i.integration.name} — ${i.slug}`)),
  );
  const productSelect = h('select', { id: 'product' });
  const name = h('input', { id: 'store-name', type: 'text', autocomplete: 'off', maxlength: 128, required: true, 'aria-describedby': 'store-name-help store-name-error', value: prefill?.name ?? null });
  const nameError = h('p', { id: 'store-name-error', class: 'field-error', hidden: true });
  const settings = h('fieldset', { class: 'settings' }, h('legend', {}, 'Settings'));
  const picker = buildPlanPicker(methods.paymentMethods, methods.defaultPaymentMethodId);
  const submit = h('button', { type: 'submit', id: 'create' }, 'Create store');
  const form = h(
    'form',
    { class: 'card', novalidate: true, 'aria-labelledby': 'create-title' },
    summary,
    h('div', { class: 'field' }, h('label', { for: 'installation' }, 'Integration'), installationSelect),
    h('div', { class: 'field' }, h('label', { for: 'product' }, 'Product'), productSelect),
    h('div', { class: 'field' }, h('label', { for: 'store-name' }, 'Name'), requiredMark(), h('p', { id: 'store-name-help', class: 'help' }, 'Letters, digits, dashes and underscores; unique within the installation.'), name, nameError),
    settings,
    picker.element,
    picker.payment,
    h('div', { class: 'actions' }, submit),
  );
  replace(
    main,
    h('h1', { id: 'create-title' }, 'Create store'),
    billing.billingState === 'soft_blocked'
      ? h('p', { class: 'notice notice-error', role: 'alert' }, `Team ${ctx.team.name} is soft-blocked for an unpaid invoice: no store can be created until its billing is fixed.`)
      : null,
    form,
  );

  let products: readonly Product[] = [];
  let integrationId = '';
  let metadataForm: MetadataForm | undefined;
  let planRequest = 0;
  let refreshTimer = 0;
  let pendingPrefill: CreatePrefill | undefined = prefill;
  ctx.onLeave(() => window.clearTimeout(refreshTimer));

  async function loadProducts(): Promise<void> {
    const answer = await api<ProductsOfInstallation>(`/v1/integrations/configuration/${encodeURIComponent(installationSelect.value)}/products`);
    if (!ctx.isCurrent()) return;
    products = answer.products;
    integrationId = answer.integration.id;
    replace(productSelect, ...products.map((p) => h('option', { value: p.id, selected: p.slug === pendingPrefill?.product }, p.name)));
    showProduct();
  }

  function showProduct(): void {
    const product = products.find((p) => p.id === productSelect.value);
    if (!product) return;
    const prefilled = pendingPrefill?.metadata;
    metadataForm = buildMetadataForm(product.metadataSchema, prefilled ?? {});
    metadataForm.onChange(() => {
      window.clearTimeout(refreshTimer);
      refreshTimer = window.setTimeout(() => void loadPlans(product), PLAN_REFRESH_MS);
    });
    replace(settings, h('legend', {}, 'Settings'), metadataForm.element);
    void loadPlans(product, pendingPrefill?.planId);
    pendingPrefill = undefined;
  }

  async function loadPlans(product: Product, preferred?: string): Promise<void> {
    planRequest += 1;
    const mine = planRequest;
    picker.setStatus('Loading plans…');
    try {
      const { plans } = await api<{ plans: BillingPlan[] }>(`/v1/integrations/integration/${encodeURIComponent(integrationId)}/products/${encodeURIComponent(product.id)}/plans`, {
        query: { integrationConfigurationId: installationSelect.value, metadata: JSON.stringify(metadataForm?.values() ?? {}) },
      });
      // Only the answer to the latest request is shown: an older one may arrive later.
      if (mine === planRequest && ctx.isCurrent()) picker.setPlans(plans, preferred);
    } catch (error) {
      if (mine === planRequest && ctx.isCurrent()) picker.setStatus(`The plans could not be loaded: ${error instanceof Error ? error.message : String(error)}`);
    }
  }

  installationSelect.addEventListener('change', () => void loadProducts());
  productSelect.addEventListener('change', showProduct);
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    void create();
  });

  async function create(): Promise<void> {
    const product = products.find((p) => p.id === productSelect.value);
    if (!product || !metadataForm) return;
    clearErrors();
    // Required fields are checked here first: an empty form needs no round trip to say so.
    const missing = metadataForm.missingRequired();
    const nameMissing = name.value.trim() === '';
    if (nameMissing || missing.length > 0) {
      if (nameMissing) showNameError('Enter a name for the store.');
      metadataForm.showErrors(missing);
      return showSummary('Fill in the required fields:', [...(nameMissing ? [nameLink()] : []), ...metadataLinks(missing)]);
    }
    const plan = picker.selected();
    submit.disabled = true;
    submit.textContent = 'Creating…';
    form.setAttribute('aria-busy', 'true');
    try {
      const { store } = await api<{ store: ListedStore }>('/v1/storage/stores/integration/direct', {
        method: 'POST',
        body: {
          name: name.value.trim(),
          integrationConfigurationId: installationSelect.value,
          integrationProductIdOrSlug: product.id,
          metadata: metadataForm.values(),
          ...(plan ? { billingPlanId: plan.id } : {}),
          ...picker.paymentFields(),
          source: 'marketplace',
        },
      });
      ctx.announce(`Store ${store.name} created; it is ${store.status ?? 'being set up'}.`);
      ctx.navigate(`#/stores/${store.id}`);
    } catch (error) {
      if (!ctx.isCurrent()) return;
      showErrors(error instanceof ApiError ? error : new ApiError(0, 'network', error instanceof Error ? error.message : String(error)), plan);
    } finally {
      submit.disabled = false;
      submit.textContent = 'Create store';
      form.removeAttribute('aria-busy');
    }
  }

  function clearErrors(): void {
    summary.hidden = true;
    nameError.textContent = '';
    nameError.hidden = true;
    name.removeAttribute('aria-invalid');
    metadataForm?.clearErrors();
    picker.setPaymentError(null);
  }

  function showNameError(message: string): void {
    nameError.textContent = message;
    nameError.hidden = false;
    name.setAttribute('aria-invalid', 'true');
  }

  /** A summary link names the field; the message itself is shown once, next to the field. */
  function link(target: string, label: string): HTMLElement {
    return h('li', {}, h('a', { href: `#${target}`, 'data-focus': target }, label));
  }
  const nameLink = () => link('store-name', 'Name');
  function metadataLinks(errors: readonly FieldError[]): HTMLElement[] {
    return errors.flatMap((f) => {
      const target = metadataForm?.controlId(f.key);
      return target ? [link(target, metadataForm?.labelOf(f.key) ?? f.key)] : [];
    });
  }

  /** The summary on top of the form: what went wrong and links to the fields to fix (focus goes there). */
  function showSummary(message: string, links: readonly HTMLElement[]): void {
    replace(summary, h('h2', {}, 'The store was not created'), h('p', {}, message), links.length > 0 ? h('ul', {}, ...links) : null);
    summary.hidden = false;
    summary.focus();
  }

  /** The server's answer: each message once, next to its field, or in the summary when it names none. */
  function showErrors(error: ApiError, plan: BillingPlan | undefined): void {
    const unmatched = metadataForm?.showErrors(error.fields) ?? [...error.fields];
    const links = metadataLinks(error.fields);
    const view = describeCreateError(error, plan);
    let message = view.message;
    if (view.place === 'name') {
      showNameError(view.message);
      links.unshift(nameLink());
      message = 'Fix the marked field:';
    } else if (view.place === 'payment') {
      picker.setPaymentError(view.message);
      links.push(link('payment-method', 'Payment method'));
      message = 'Fix the marked field:';
    } else if (links.length > 0) {
      message = links.length === 1 ? 'Fix the marked field:' : 'Fix the marked fields:';
    }
    // Keys the form does not draw (a hidden field) have no place of their own: the summary says them.
    const extra = unmatched.filter((f: FieldError) => f.key !== '').map((f) => h('li', {}, `${f.key} ${f.message ? fieldMessage(f.message) : 'is invalid'}.`));
    showSummary(message, [...links, ...extra]);
  }

  // In-page links of the summary focus their field instead of changing the route.
  summary.addEventListener('click', (event) => {
    const link = (event.target as HTMLElement).closest<HTMLAnchorElement>('a[data-focus]');
    if (!link) return;
    event.preventDefault();
    document.getElementById(link.dataset.focus ?? '')?.focus();
  });

  await loadProducts();
}
