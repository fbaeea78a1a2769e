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
export interface InstallationPlanChangePorts extends PlanChangeSettlementPorts {
  findInstallation(teamId: string, installationId: string): Promise<Installation | undefined>;
  /** The provider's List Billing Plans For Installation, in its order (both scopes). */
  listInstallationPlans(installation: Installation): Promise<BillingPlan[]>;
  /** The id of the plan recorded on the installation; null when it is billed per resource. */
  recordedPlanId(installationId: string): Promise<string | null>;
  paymentMethodsOf(teamId: string): Promise<{ methods: PaymentMethodRef[]; defaultId: string | null }>;
  /**
   * Takes the `ready` installation for this change, recording what it will charge (`chargeCents`
   * from `methodId`) before the processor is called; the claim's time, or null when another change
   * holds it or the installation is being uninstalled.
   */
  claim(change: PlanChange, charge: { readonly amountCents: number; readonly paymentMethodId: string } | null): Promise<number | null>;
  authorize(change: PlanChange, methodId: string, amountCents: number): Promise<PaymentAttempt>;
  charge(change: PlanChange, methodId: string, amountCents: number): Promise<PaymentAttempt>;
  /** Update Installation at the provider; throws `PlanChangeFailure`. */
  updateAtProvider(change: PlanChange, billingPlanId: string): Promise<ProviderPlanChange>;
  newChangeId(): string;
}

/** What settling a plan change needs; no user: the reconciliation loop settles changes too. */
export interface PlanChangeSettlementPorts {
  /** Get Installation at the provider, or `reached: false` when it could not say (timeout, network, 5xx, malformed). */
  readProviderPlan(installation: Installation): Promise<ProviderPlanReading>;
  /** Renews the change's claim (compare-and-swap on `claimedAt`) before a provider call; the change with its new `claimedAt`, or null when the claim is no longer its. */
  renewClaim(change: PendingPlanChange): Promise<PendingPlanChange | null>;
  /** Gives the change's charge back and records the refund; idempotent per change (`${id}:refund`). */
  refund(change: PendingPlanChange, charge: ChangeCharge, reason: string): Promise<void>;
  /** Records the plan (and the provider's notification) and lets go of the installation, if the change's claim is unmoved; false (nothing written) when it was lost. */
  record(change: PendingPlanChange, plan: BillingPlan, notification: Notification | null | undefined): Promise<boolean>;
  /** Lets go of the installation without changing its plan, if the change's claim is unmoved; false when it was lost. */
  release(change: PendingPlanChange): Promise<boolean>;
}

/** What the provider's Get Installation said; `reached: false` when it said nothing usable. */
export type ProviderPlanReading =
  | { readonly reached: true; readonly billingPlan: BillingPlan | null; readonly notification?: Notification | null }
  | { readonly reached: false; readonly reason: string };

/** A charge a plan change made at the processor. */
export interface ChangeCharge {
  readonly reference: string;
  readonly amountCents: number;
}

/** A plan change whose outcome at the provider is not known yet, with what it charged. */
export interface PendingPlanChange {
  readonly id: string;
  readonly installation: Installation;
  /** The plan asked for; null when nothing says (a free change whose process died: no ledger row names it). */
  readonly planId: string | null;
  readonly charge: ChangeCharge | null;
  /** When its holder last took or renewed the claim: every write of the change is fenced on it. */
  readonly claimedAt: number;
}

/**
 * How settling ended: the provider has the plan (recorded, charge kept), has not (refunded), or
 * could not say (still pending); or the claim was lost (`lost`: another holder, the reconciliation
 * loop on another replica or after the lease, took the change and settles it).
 */
export type SettlementOutcome = 'recorded' | 'refunded' | 'pending' | 'lost';

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
 * at the provider. A refusal refunds the charge at once; a failure that leaves the provider's
 * state unknown (timeout, 5xx) is settled by reading that state back (`settlePlanChange`), or
 * left pending, claimed and charged, for the reconciliation loop (503). A declined card never
 * reaches the provider, the recorded plan changes only once the provider took the change, and
 * no charge is kept for a change the provider did not make. Asking for the plan the
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
  // A plan the installation cannot have is refused as such, before anything about payment.
  if (plan.type === 'prepayment') throw prepaymentRefused(plan);

  const { methods, defaultId } = await ports.paymentMethodsOf(command.teamId);
  const payment = planPayment({ plan, paymentMethod: resolvePaymentMethod(undefined, methods, defaultId), team: { billingState: command.teamBillingState } });
  if (payment.kind === 'prepayment') throw prepaymentRefused(plan);

  const change: PlanChange = { id: ports.newChangeId(), installation, plan, ...(command.authorizationId !== undefined ? { authorizationId: command.authorizationId } : {}) };
  const intent = payment.kind === 'subscription' && payment.initialChargeCents > 0 ? { amountCents: payment.initialChargeCents, paymentMethodId: payment.paymentMethodId } : null;
  const claimedAt = await ports.claim(change, intent);
  if (claimedAt === null) {
    throw new ApiError('conflict', `Another plan change of the integration configuration ${installation.id} is in progress or being confirmed with the provider (its charge is kept only if the provider made the change, otherwise refunded); try again when it has finished.`);
  }
  // Read again under the claim: a change that recorded this plan and let go between the read
  // above and the claim would otherwise be paid a second time (two `--plan team` at once).
  if ((await ports.recordedPlanId(installation.id)) === plan.id) {
    await ports.release(pendingOf(change, claimedAt, null));
    return { installation, plan, changed: false };
  }
  let charged: ChangeCharge | null = null;
  try {
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
  } catch (error) {
    await ports.release(pendingOf(change, claimedAt, null));
    throw error;
  }
  let pending = pendingOf(change, claimedAt, charged);
  // An uninstall cannot begin while the claim is held (`beginUninstall`); this catches one that
  // began another way (a claim left by an older version): the change is not sent, nothing kept.
  const current = await ports.findInstallation(command.teamId, installation.id);
  if (!current || current.status !== 'ready') {
    await refundAndRelease(ports, pending, 'the installation is being uninstalled');
    throw new ApiError('conflict', `The integration configuration ${installation.id} is being uninstalled; its plan was not changed${charged ? ' and the charge was refunded' : ''}.`);
  }
  // Fenced: the payment steps may have outlived the lease, and the reconciliation loop then owns the change.
  const renewed = await ports.renewClaim(pending);
  if (!renewed) throw claimLost(installation.id, plan.id);
  pending = renewed;
  let answered: ProviderPlanChange;
  try {
    answered = await ports.updateAtProvider(change, plan.id);
  } catch (error) {
    const failure = error instanceof PlanChangeFailure ? error : new PlanChangeFailure('unknown', new ApiError('provisioning_failed'));
    if (failure.outcome === 'rejected') {
      // A refusal is definite: the provider changed nothing.
      await refundAndRelease(ports, pending, 'the provider refused the plan change');
      throw failure.apiError;
    }
    // The provider may have made the change: its own state decides, now or later.
    const outcome = await settlePlanChange(ports, pending);
    if (outcome === 'recorded') return { installation, plan, changed: true };
    if (outcome === 'refunded') throw failure.apiError;
    if (outcome === 'lost') throw claimLost(installation.id, plan.id);
    throw new ApiError(
      'service_unavailable',
      `The provider did not confirm the plan change of the integration configuration ${installation.id} to "${plan.id}" (${failure.apiError.message}), and could not be asked whether it made it. Stockroom keeps confirming it with the provider: the plan is recorded and the charge kept if the provider made the change, otherwise the charge is refunded. Until then the installation keeps its recorded plan and another plan change is refused.`,
      {},
      { 'Retry-After': String(PENDING_RETRY_AFTER_SECONDS) },
    );
  }
  const recorded = answered.billingPlan?.id === plan.id ? answered.billingPlan : plan;
  // The provider's answer may have come after the lease: only a change still holding its claim records.
  if (!(await ports.record(pending, recorded, answered.notification))) throw claimLost(installation.id, plan.id);
  return { installation, plan: recorded, changed: true };
}

/**
 * Settles a plan change whose outcome at the provider is unknown (its answer was lost, or its
 * process died) by reading the provider's state back with Get Installation: the provider bills
 * the installation on the plan asked for → the plan is recorded and the charge kept; on another
 * plan, or none → the charge is refunded and the installation let go; no usable answer → nothing
 * changes and the change stays pending, its claim held, for the reconciliation loop to try again
 * (or, with `giveUp`, past the change's deadline, refunded and let go). Every write is fenced on
 * the change's claim: `lost` when another holder took it meanwhile.
 */
export async function settlePlanChange(ports: PlanChangeSettlementPorts, pending: PendingPlanChange, options: { readonly giveUp?: boolean } = {}): Promise<SettlementOutcome> {
  // The read-back is a second provider call: the claim is renewed (fenced) so it does not look abandoned.
  const change = await ports.renewClaim(pending);
  if (!change) return 'lost';
  const reading = await ports.readProviderPlan(change.installation);
  if (!reading.reached) {
    if (!options.giveUp) return 'pending';
    // Past the deadline an unanswered question is closed: no charge is held forever on it.
    return (await refundAndRelease(ports, change, `the provider did not confirm the change before the deadline (${reading.reason})`)) ? 'refunded' : 'lost';
  }
  const held = reading.billingPlan;
  if (held !== null && (change.planId === null || held.id === change.planId)) {
    // With no plan known to have been asked for, nothing was charged: the provider's word is recorded as is.
    return (await ports.record(change, held, reading.notification)) ? 'recorded' : 'lost';
  }
  const released = await refundAndRelease(ports, change, `the provider reports ${held === null ? 'no installation-level plan' : `plan ${held.id}`}, not the plan the change asked for`);
  return released ? 'refunded' : 'lost';
}

/** Refunds the change's charge (keyed by the change: a second holder's refund is the same one) and lets go; false when the claim was lost. */
export async function refundAndRelease(ports: PlanChangeSettlementPorts, change: PendingPlanChange, reason: string): Promise<boolean> {
  if (change.charge) await ports.refund(change, change.charge, reason);
  return ports.release(change);
}

/**
 * Seconds a client is told to wait before asking again about a change still being confirmed.
 * Short on purpose: the CLI sleeps this long before each of its retries of a 503, and its retry
 * meets the 409 that says the change is being confirmed; a longer value only stalls the command.
 */
const PENDING_RETRY_AFTER_SECONDS = 1;

/** The answer to a request whose change another holder (the reconciliation loop) took over: never a success. */
function claimLost(installationId: string, planId: string): ApiError {
  return new ApiError(
    'conflict',
    `The plan change of the integration configuration ${installationId} to "${planId}" took too long and is being settled by Stockroom: the plan is recorded and the charge kept if the provider made the change, otherwise the charge is refunded. Read the installation again shortly to see its plan.`,
  );
}

function pendingOf(change: PlanChange, claimedAt: number, charge: ChangeCharge | null): PendingPlanChange {
  return { id: change.id, installation: change.installation, planId: change.plan.id, charge, claimedAt };
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
