import type { CheckScope } from '../check-scope.js';
import type { Check, Life } from '../life.js';
import { paths, skipWhenNotServed } from '../life.js';
import type { Exchange } from '../partner-http.js';
import { isObject, planListProblems, planWarnings } from '../wire-rules.js';

type Plan = Readonly<Record<string, unknown>>;

/** The first plan Vercel would pick for a free create: a subscription, `paymentMethodRequired: false`, not disabled. */
export function selectFreePlan(plans: readonly Plan[]): Plan | undefined {
  return plans.find((p) => p.type === 'subscription' && p.paymentMethodRequired === false && p.disabled !== true);
}

/** The named plan, or the first paid one offered: a paid subscription before a prepayment. */
export function selectPaidPlan(plans: readonly Plan[], planId: string | undefined): Plan | undefined {
  if (planId !== undefined) return plans.find((p) => p.id === planId);
  const selectable = plans.filter((p) => p.disabled !== true && typeof p.id === 'string');
  return selectable.find((p) => p.type === 'subscription' && p.paymentMethodRequired !== false) ?? selectable.find((p) => p.type === 'prepayment');
}

/** Judges a plan list answer; returns its plans when it was well-formed. */
async function judgePlanList(scope: CheckScope, exchange: Exchange, operation: string): Promise<Plan[] | undefined> {
  if (!scope.expectStatus(exchange, { ok: [200], wanted: `200 {plans: BillingPlan[]} (${operation})` })) return undefined;
  if (!exchange.isJson) {
    scope.fail('the answer is not JSON', '{"plans": [...]}', exchange);
    return undefined;
  }
  const wellFormed = scope.expectShape(exchange, planListProblems(exchange.json), `{plans: BillingPlan[]} with well-formed plans (${operation})`);
  for (const warning of planWarnings(exchange.json)) scope.warn(warning, 'paymentMethodRequired stated on every subscription plan; no charges on a free plan', exchange);
  return wellFormed && isObject(exchange.json) ? (exchange.json.plans as Plan[]) : undefined;
}

/** List Billing Plans For Product with a system token of `installationId` (null: not installed yet), judged. */
async function checkProductPlans(scope: CheckScope, life: Life, installationId: string | null, query: string): Promise<Plan[] | undefined> {
  const exchange = await scope.send({ method: 'GET', path: `${paths.productPlans(life.settings.product)}${query}`, token: await life.mint.system(installationId) });
  return judgePlanList(scope, exchange, 'List Billing Plans For Product');
}

function remember(life: Life, plans: Plan[] | undefined): void {
  if (plans && !life.plans) life.plans = plans;
}

export const plansBeforeInstall: Check = {
  id: 'plans-before-install',
  title: 'List Billing Plans For Product before the team installs',
  spec: 'List Billing Plans For Product (installation_id null)',
  async run(scope, life) {
    // Vercel shows a product's plans before a team has installed the integration: the system token
    // then carries `installation_id: null`.
    await checkProductPlans(scope, life, null, '');
  },
};

export const plansForProduct: Check = {
  id: 'plans-for-product',
  title: 'List Billing Plans For Product for an installed team',
  spec: 'List Billing Plans For Product',
  async run(scope, life) {
    remember(life, await checkProductPlans(scope, life, life.installationId, ''));
  },
};

export const plansWithMetadata: Check = {
  id: 'plans-with-metadata',
  title: "List Billing Plans For Product with the form's metadata",
  spec: 'List Billing Plans For Product (?metadata=)',
  async run(scope, life) {
    // The dashboard asks again on every change of the form, passing what was typed as JSON text.
    remember(life, await checkProductPlans(scope, life, life.installationId, `?metadata=${encodeURIComponent(JSON.stringify(life.settings.metadata))}`));
  },
};

export const plansForInstallation: Check = {
  id: 'plans-for-installation',
  title: 'List Billing Plans For Installation',
  spec: 'List Billing Plans For Installation (optional)',
  async run(scope, life) {
    const exchange = await scope.send({ method: 'GET', path: paths.installationPlans(life.installationId), token: await life.mint.system(life.installationId) });
    skipWhenNotServed(scope, life, exchange, 'the endpoint is optional');
    const plans = await judgePlanList(scope, exchange, 'List Billing Plans For Installation');
    if (plans) life.installationPlans = plans;
  },
};
