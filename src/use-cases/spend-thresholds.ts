/**
 * Setting a spend threshold (docs/balances-and-thresholds.md): per prepaid store whose plan is
 * resource-scoped, or per installation whose prepaid plan is installation-scoped, as `vercel
 * integration resource create-threshold` sends it. Refusals are 400 naming the field, or 404.
 */
import type { AppContext } from '../app-context.js';
import { findInstallationPartnerFields } from '../db/installations.js';
import { upsertThreshold } from '../db/spend-thresholds.js';
import { findLiveStoreOfInstallation, listLiveStoresOfInstallation } from '../db/store-reads.js';
import type { BillingPlan } from '../domain/billing-plan-types.js';
import type { Installation } from '../domain/installations.js';
import { findThresholdProblems, type SpendThreshold, type ThresholdAmounts } from '../domain/spend-thresholds.js';
import { ApiError } from '../errors.js';
import { refuseBillingProblems } from './partner-billing.js';

export interface ThresholdRequest extends ThresholdAmounts {
  readonly billingPlanId: string;
  /** JSON text, as the CLI sends it; "{}" when absent. */
  readonly metadata?: string;
}

/** A store's threshold: the store must be a live prepaid store of the installation with a resource-scoped plan. */
export async function setStoreThreshold(ctx: AppContext, installation: Installation, storeId: string, request: ThresholdRequest): Promise<SpendThreshold> {
  const store = await findLiveStoreOfInstallation(ctx.db, installation.id, storeId);
  if (!store || store.teamId !== installation.teamId || store.externalResourceId === null) {
    throw new ApiError('not_found', `The resource ${storeId} was not found in ${installation.id}.`, { param: 'resourceId' });
  }
  const plan = store.billingPlan;
  if (plan.type !== 'prepayment') {
    throw new ApiError('bad_request', `The resource ${store.name} is on the ${plan.type} plan "${plan.id}": only prepayment-based resources take a threshold.`, { param: 'resourceId' });
  }
  if (plan.scope !== 'resource') {
    throw new ApiError('bad_request', `The resource ${store.name} uses an installation-level balance: set its threshold with POST /v1/integrations/installations/${installation.id}/billing/threshold/batch.`, { param: 'resourceId' });
  }
  checkRequest(plan, request);
  return upsertThreshold(ctx.db, { ...amountsOf(request), installationId: installation.id, teamId: installation.teamId, resourceId: store.externalResourceId, storeId: store.id, billingPlanId: plan.id }, ctx.now());
}

/**
 * The installation's threshold: `billingPlanId` must be an installation-scoped prepayment plan of
 * the installation (the plan its partner set by Update Installation, or one of its live stores').
 */
export async function setInstallationThreshold(ctx: AppContext, installation: Installation, request: ThresholdRequest): Promise<SpendThreshold> {
  const plan = await installationPlan(ctx, installation.id, request.billingPlanId);
  if (!plan) {
    throw new ApiError('invalid_billing_plan', `Billing plan "${request.billingPlanId}" is no installation-level prepayment plan of ${installation.id}.`, { param: '[0].billingPlanId' });
  }
  checkRequest(plan, request);
  return upsertThreshold(ctx.db, { ...amountsOf(request), installationId: installation.id, teamId: installation.teamId, resourceId: null, storeId: null, billingPlanId: plan.id }, ctx.now());
}

async function installationPlan(ctx: AppContext, installationId: string, planId: string): Promise<BillingPlan | undefined> {
  const isIt = (plan: BillingPlan | undefined): plan is BillingPlan => plan?.id === planId && plan.type === 'prepayment' && plan.scope === 'installation';
  const fields = await findInstallationPartnerFields(ctx.db, installationId);
  const partnerPlan = fields?.billingPlan ? (JSON.parse(fields.billingPlan) as BillingPlan) : undefined;
  if (isIt(partnerPlan)) return partnerPlan;
  return (await listLiveStoresOfInstallation(ctx.db, installationId)).map((store) => store.billingPlan).find(isIt);
}

function checkRequest(plan: BillingPlan, request: ThresholdRequest): void {
  if (request.billingPlanId !== plan.id) {
    throw new ApiError('invalid_billing_plan', `billingPlanId "${request.billingPlanId}" is not the resource's plan "${plan.id}".`, { param: 'billingPlanId' });
  }
  if (request.metadata !== undefined && !isJsonObjectText(request.metadata)) {
    throw new ApiError('bad_request', 'metadata must be the text of a JSON object (the CLI reads it back with JSON.parse).', { param: 'metadata' });
  }
  refuseBillingProblems(findThresholdProblems(plan, request));
}

function amountsOf(request: ThresholdRequest) {
  return { minimumCents: request.minimumCents, purchaseCents: request.purchaseCents, maximumPerPeriodCents: request.maximumPerPeriodCents, metadata: request.metadata ?? '{}' };
}

function isJsonObjectText(text: string): boolean {
  try {
    const value: unknown = JSON.parse(text);
    return typeof value === 'object' && value !== null && !Array.isArray(value);
  } catch {
    return false;
  }
}
