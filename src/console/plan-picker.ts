import { h, replace } from './dom.js';
import { dollars, money } from './format.js';
import type { BillingPlan, PaymentMethod } from './wire.js';

/**
 * The plan choice of the create form, and what paying for the chosen plan takes: no payment
 * method for a free plan; the team's default (or another of its methods) for a paid one; an
 * amount within the plan's range for prepaid credits (docs/rules.md §1 step 9).
 */
export interface PlanPicker {
  readonly element: HTMLElement;
  readonly payment: HTMLElement;
  /** Shows a new list (re-fetched as the form changes), keeping the choice when it is still offered. */
  setPlans(plans: readonly BillingPlan[], preferred?: string): void;
  selected(): BillingPlan | undefined;
  /** The payment fields of the create request for the chosen plan. */
  paymentFields(): { paymentMethodId?: string; prepaymentAmountCents?: number };
  /** Shows `message` under the payment fields, or clears it (null); it stays until then or until another plan is chosen. */
  setPaymentError(message: string | null): void;
  setStatus(message: string): void;
}

export function buildPlanPicker(methods: readonly PaymentMethod[], defaultMethodId: string | null): PlanPicker {
  let plans: readonly BillingPlan[] = [];
  const status = h('p', { class: 'help', 'aria-live': 'polite' });
  const list = h('div', { class: 'plans' });
  const element = h('fieldset', { class: 'field', id: 'plans' }, h('legend', {}, 'Plan'), status, list);
  const payment = h('div', { class: 'payment', id: 'payment' });
  const paymentError = h('p', { id: 'payment-error', class: 'field-error', hidden: true });
  const method = h(
    'select',
    { id: 'payment-method', 'aria-describedby': 'payment-note payment-error' },
    h('option', { value: '', selected: defaultMethodId === null }, 'Choose a payment method'),
    ...methods.map((m) => h('option', { value: m.id, selected: m.id === defaultMethodId }, `${m.brand} ···· ${m.last4}${m.isDefault ? ' (team default)' : ''}`)),
  );
  const amount = h('input', { id: 'prepayment-amount', type: 'number', inputmode: 'decimal', step: '0.01', 'aria-describedby': 'prepayment-help payment-error' });

  const selected = () => plans.find((p) => p.id === list.querySelector<HTMLInputElement>('input[name="plan"]:checked')?.value);
  /** The plan whose payment fields are shown. */
  let shownPlanId: string | undefined;

  /** Text and visibility change together, so the error is never left hidden with a message in it. */
  function setPaymentError(message: string | null): void {
    paymentError.textContent = message ?? '';
    paymentError.hidden = message === null;
    for (const control of [method, amount]) {
      if (message === null) control.removeAttribute('aria-invalid');
      else control.setAttribute('aria-invalid', 'true');
    }
  }

  function renderPayment(): void {
    const plan = selected();
    // The plan list is fetched again whenever the settings change, and such an answer may land
    // after a failed create: redrawing the same plan keeps the error about it; only another plan
    // makes it moot.
    if (plan?.id !== shownPlanId) setPaymentError(null);
    shownPlanId = plan?.id;
    if (!plan) return replace(payment);
    if (!plan.paymentMethodRequired) {
      return replace(payment, h('h2', {}, 'Payment'), h('p', { id: 'payment-note' }, `No payment method is needed for ${plan.name}.`));
    }
    const fallback = methods.find((m) => m.id === defaultMethodId);
    const note = fallback
      ? `${plan.name} needs a payment method. The team's default, ${fallback.brand} ···· ${fallback.last4}, is used unless you choose another.`
      : `${plan.name} needs a payment method, and the team has no default: choose one here, or set a default on the Billing page.`;
    const charges = [
      plan.preauthorizationAmount ? `${money(Math.round(plan.preauthorizationAmount * 100))} is authorized before the store is created.` : null,
      plan.initialCharge ? `${dollars(plan.initialCharge)} is charged once it exists.` : null,
    ].filter((line): line is string => line !== null);
    const prepaid = plan.type === 'prepayment' ? prepaymentField(plan) : null;
    replace(
      payment,
      h('h2', {}, 'Payment'),
      h('p', { id: 'payment-note' }, note, ...charges.map((c) => ` ${c}`)),
      h('div', { class: 'field' }, h('label', { for: 'payment-method' }, 'Payment method'), method),
      prepaid,
      paymentError,
    );
  }

  function prepaymentField(plan: BillingPlan): HTMLElement | null {
    const min = plan.minimumAmount;
    const max = plan.maximumAmount;
    // A fixed amount needs no input: the server charges it (docs/rules.md §1 step 9).
    if (min !== undefined && min === max) return h('p', {}, `Prepaid credits: ${dollars(min)}.`);
    amount.min = min ?? '';
    amount.max = max ?? '';
    if (amount.value === '' && min !== undefined) amount.value = min;
    return h(
      'div',
      { class: 'field' },
      h('label', { for: 'prepayment-amount' }, 'Prepaid credits (USD)'),
      h('p', { id: 'prepayment-help', class: 'help' }, `Between ${min ? dollars(min) : 'any'} and ${max ? dollars(max) : 'any'}; charged now and credited to the store.`),
      amount,
    );
  }

  list.addEventListener('change', renderPayment);

  return {
    element,
    payment,
    setPlans(next, preferred) {
      const keep = selected()?.id ?? preferred;
      plans = next;
      const choice =
        plans.find((p) => p.id === keep && !p.disabled) ??
        plans.find((p) => !p.disabled && !p.paymentMethodRequired && p.type === 'subscription') ??
        plans.find((p) => !p.disabled);
      replace(list, ...plans.map((plan) => planCard(plan, plan === choice)));
      status.textContent = plans.length === 0 ? 'This product offers no plans.' : '';
      renderPayment();
    },
    selected,
    paymentFields() {
      const plan = selected();
      if (!plan?.paymentMethodRequired) return {};
      const fields: { paymentMethodId?: string; prepaymentAmountCents?: number } = {};
      if (method.value !== '') fields.paymentMethodId = method.value;
      if (plan.type === 'prepayment' && amount.isConnected && amount.value.trim() !== '') {
        const value = Number(amount.value);
        if (Number.isFinite(value)) fields.prepaymentAmountCents = Math.round(value * 100);
      }
      return fields;
    },
    setPaymentError,
    setStatus(message) {
      status.textContent = message;
    },
  };
}

function planCard(plan: BillingPlan, checked: boolean): HTMLElement {
  const id = `plan-${plan.id.replace(/[^A-Za-z0-9_-]/g, '_')}`;
  const details = [...(plan.highlightedDetails ?? []), ...(plan.details ?? [])];
  // A plan named "Free" that costs "Free" says it once.
  const shownCost = plan.cost ?? (plan.paymentMethodRequired ? undefined : 'Free');
  const cost = shownCost !== undefined && shownCost.trim().toLowerCase() !== plan.name.trim().toLowerCase() ? shownCost : undefined;
  return h(
    'div',
    { class: `plan${plan.disabled ? ' disabled' : ''}` },
    h('input', { type: 'radio', name: 'plan', id, value: plan.id, checked, disabled: plan.disabled === true, 'aria-describedby': `${id}-about` }),
    h('label', { for: id }, h('span', { class: 'plan-name' }, plan.name), cost ? h('span', { class: 'plan-cost' }, cost) : null),
    h(
      'div',
      { id: `${id}-about`, class: 'plan-about' },
      h('p', {}, plan.description),
      details.length > 0 ? h('ul', {}, ...details.map((d) => h('li', {}, d.value ? `${d.label}: ${d.value}` : d.label))) : null,
      plan.paymentMethodRequired ? h('p', { class: 'badge badge-paid' }, 'Needs a payment method') : null,
    ),
  );
}
