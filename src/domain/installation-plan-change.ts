/**
 * Changing an installation's billing plan (`vercel integration update <slug> --plan <id>`,
 * docs/installation-updates.md): the plan must be one of the provider's installation-level plans,
 * paid for under the same rules as a create (docs/rules.md §3), and the change is ordered so that
 * a failure part-way keeps no charge for a change not delivered and leaves the recorded plan as it was.
 */
import { ApiError } from '../errors.js';
import type { BillingState } from './accounts.js';
import type { BillingPlan } from './billing-plan-types.js';
import { declined, type PaymentAttempt } from './create-store.js';
import type { Installation } from './installations.js';
import { planPayment, resolvePaymentMethod, type PaymentMethodRef } from './payment.js';
import type { Notification } from './stores.js';

/** What the provider answered to Update Installation: the plan it now bills on, if it said. */
export interface ProviderPlanChange {
  readonly billingPlan?: BillingPlan;
  readonly notification?: Notification | null;
}

/**
 * Why Update Installation failed: `rejected` (a 4xx: the provider refused, nothing changed there),
 * or `unknown` (timeout, 5xx, malformed answer: it may have changed the plan), with the error to answer.
 */
export class PlanChangeFailure extends Error {
  constructor(
    readonly outcome: 'rejected' | 'unknown',
    readonly apiError: ApiError,
  ) {
    super(apiError.message);
  }
}

/** One plan change, named so that its payment steps and its provider call can be repeated safely. */
export interface PlanChange {
  /** `ipc_…`: the operation keys of its ledger rows and the provider call's Idempotency-Key derive from it. */
  readonly id: string;
  readonly installation: Installation;
  readonly plan: BillingPlan;
  /** The `authorizationId` the caller sent, kept in the ledger rows' memo (it replaces nothing). */
  readonly authorizationId?: string;
}

/** What a plan change needs from the outside world; implemented in `use-cases/installation-plan-change-ports.ts`. */
export interface InstallationPlanChangePorts {
  findInstallation(teamId: string, installationId: string): Promise<Installation | undefined>;
  /** The provider's List Billing Plans For Installation, in its order (both scopes). */
  listInstallationPlans(installation: Installation): Promise<BillingPlan[]>;
  /** The id of the plan recorded on the installation; null when it is billed per resource. */
  recordedPlanId(installationId: string): Promise<string | null>;
  paymentMethodsOf(teamId: string): Promise<{ methods: PaymentMethodRef[]; defaultId: string | null }>;
  /**
   * Takes the installation for this change; not `claimed` when another change holds it.
   * `abandoned`: the change of a dead process it took over, never recorded.
   */
  claim(change: PlanChange): Promise<{ readonly claimed: boolean; readonly abandoned: string | null }>;
  /** Refunds what an abandoned change charged and never refunded; idempotent. */
  settleAbandoned(installation: Installation, abandonedChangeId: string): Promise<void>;
  /** Lets go of the installation without changing its plan. */
  release(change: PlanChange): Promise<void>;
  authorize(change: PlanChange, methodId: string, amountCents: number): Promise<PaymentAttempt>;
  charge(change: PlanChange, methodId: string, amountCents: number): Promise<PaymentAttempt>;
  /** Gives the change's charge back and records the refund; idempotent per change. */
  refund(change: PlanChange, chargeReference: string, amountCents: number, reason: string): Promise<void>;
  /** Update Installation at the provider; throws `PlanChangeFailure`. */
  updateAtProvider(change: PlanChange, billingPlanId: string): Promise<ProviderPlanChange>;
  /** Records the new plan (and the provider's notification) and lets go of the installation. */
  record(change: PlanChange, plan: BillingPlan, notification: Notification | null | undefined): Promise<void>;
  newChangeId(): string;
}

export interface InstallationPlanChangeCommand {
  readonly teamId: string;
  readonly teamBillingState: BillingState;
  readonly installationId: string;
  readonly billingPlanId: string;
  readonly authorizationId?: string;
}

export interface InstallationPlanChangeResult {
  readonly installation: Installation;
  readonly plan: BillingPlan;
  /** False when the installation was already on the plan: nothing was called or charged. */
  readonly changed: boolean;
}

/**
 * Moves an installation to an installation-level plan. Checks in the order of a create: the
 * installation (404), the plan (400), payment (402 soft-blocked, 400 no method), then another
 * change running (409). Then it pays first, as a prepaid create does: authorize the
 * preauthorization amount (a check), charge the initial charge, and only then Update Installation
 * at the provider, refunding the charge when the provider refuses or fails. A declined card
 * never reaches the provider, the recorded plan changes only once the provider took the change,
 * and no charge is kept for a change the provider did not make. Asking for the plan the
 * installation is already on answers at once, so a replay is harmless.
 */
export async function changeInstallationPlan(ports: InstallationPlanChangePorts, command: InstallationPlanChangeCommand): Promise<InstallationPlanChangeResult> {
  const installation = await ports.findInstallation(command.teamId, command.installationId);
  if (!installation || installation.status !== 'ready') {
    throw new ApiError('not_found', `The integration configuration ${command.installationId} was not found.`);
  }
  const plans = await ports.listInstallationPlans(installation);
  const plan = selectInstallationPlan(plans, command.billingPlanId, installation.id);
  if ((await ports.recordedPlanId(installation.id)) === plan.id) return { installation, plan, changed: false };

  const { methods, defaultId } = await ports.paymentMethodsOf(command.teamId);
  const payment = planPayment({ plan, paymentMethod: resolvePaymentMethod(undefined, methods, defaultId), team: { billingState: command.teamBillingState } });
  if (payment.kind === 'prepayment') throw prepaymentRefused(plan);

  const change: PlanChange = { id: ports.newChangeId(), installation, plan, ...(command.authorizationId !== undefined ? { authorizationId: command.authorizationId } : {}) };
  const claim = await ports.claim(change);
  if (!claim.claimed) {
    throw new ApiError('conflict', `Another plan change of the integration configuration ${installation.id} is in progress; try again when it has finished.`);
  }
  try {
    // A change whose process died was never recorded: whatever it charged is given back.
    if (claim.abandoned !== null) await ports.settleAbandoned(installation, claim.abandoned);
    let charged: { readonly reference: string; readonly amountCents: number } | undefined;
    if (payment.kind === 'subscription') {
      if (payment.authorizeCents > 0) {
        const auth = await ports.authorize(change, payment.paymentMethodId, payment.authorizeCents);
        if (!auth.ok) throw declined(auth);
      }
      if (payment.initialChargeCents > 0) {
        const charge = await ports.charge(change, payment.paymentMethodId, payment.initialChargeCents);
        if (!charge.ok) throw declined(charge);
        charged = { reference: charge.reference ?? '', amountCents: payment.initialChargeCents };
      }
    }
    let answered: ProviderPlanChange;
    try {
      answered = await ports.updateAtProvider(change, plan.id);
    } catch (error) {
      // Nothing kept that was not delivered: the provider did not take the change (or may not have).
      const failure = error instanceof PlanChangeFailure ? error : new PlanChangeFailure('unknown', new ApiError('provisioning_failed'));
      if (charged) await ports.refund(change, charged.reference, charged.amountCents, failure.outcome === 'rejected' ? 'the provider refused the plan change' : 'the provider did not confirm the plan change');
      throw failure.apiError;
    }
    const recorded = answered.billingPlan?.id === plan.id ? answered.billingPlan : plan;
    await ports.record(change, recorded, answered.notification);
    return { installation, plan: recorded, changed: true };
  } catch (error) {
    await ports.release(change);
    throw error;
  }
}

/**
 * The installation-level plan `billingPlanId` among the provider's plans for the installation;
 * `invalid_billing_plan` (400) when it is not there, is disabled, or is billed per resource.
 */
export function selectInstallationPlan(plans: readonly BillingPlan[], billingPlanId: string, installationId: string): BillingPlan {
  const installationPlans = plans.filter((p) => p.scope === 'installation' && p.disabled !== true);
  const offered = installationPlans.length === 0 ? 'The provider offers no installation-level plan: it bills each resource on its own plan.' : `Installation-level plans: ${installationPlans.map((p) => `"${p.id}" (${p.name})`).join(', ')}.`;
  const plan = plans.find((p) => p.id === billingPlanId);
  if (plan === undefined) {
    throw new ApiError('invalid_billing_plan', `Billing plan "${billingPlanId}" is not offered to the integration configuration ${installationId}. ${offered}`, { param: 'billingPlanId' });
  }
  if (plan.scope !== 'installation') {
    throw new ApiError('invalid_billing_plan', `Billing plan "${billingPlanId}" is billed per resource: choose it when creating a store, not for the installation. ${offered}`, { param: 'billingPlanId' });
  }
  if (plan.disabled === true) {
    throw new ApiError('invalid_billing_plan', `Billing plan "${billingPlanId}" is disabled. ${offered}`, { param: 'billingPlanId' });
  }
  return plan;
}

function prepaymentRefused(plan: BillingPlan): ApiError {
  return new ApiError('invalid_billing_plan', `Billing plan "${plan.id}" is a prepayment plan; Stockroom changes installations only to subscription plans (a credit purchase belongs to a resource).`, { param: 'billingPlanId' });
}
