import { ApiError } from '../errors.js';
import type { BillingState } from './accounts.js';
import type { BillingPlan } from './billing-plan-types.js';
import { isRequestedPlanMissing, planNeedsPayment, selectBillingPlan, withdrawnPlanError } from './billing-plans.js';
import type { SecretValue } from './env-vars.js';
import { newId } from './ids.js';
import type { Installation } from './installations.js';
import { compileMetadataValidator, validateMetadata, type Metadata, type MetadataSchema } from './metadata.js';
import { planPayment, resolvePaymentMethod, type PaymentMethodRef, type PaymentPlan } from './payment.js';
import { mapResourceStatus, toExternalResourceStatus } from './store-status.js';
import type { Notification, SecretInfo, Store } from './stores.js';

/** The product a store is made of, as the use case needs it. */
export interface StoreProduct {
  readonly id: string;
  /** The id the provider knows the product by (its slug). */
  readonly providerProductId: string;
  readonly metadataSchema: MetadataSchema;
}

/** What the provider answered to Provision Resource (partner-api.md §1.1 #5). */
export interface ProvisionedResource {
  readonly id: string;
  readonly status: string;
  readonly notification?: Notification | null;
  /** As sealed: with the per-environment overrides the provider gave. */
  readonly secrets: readonly SecretValue[];
}

/**
 * Why a provider call failed: `rejected` (a 4xx: nothing was created), or `unknown` (timeout,
 * 5xx, malformed answer: a resource may exist), with the error to answer.
 */
export class ProvisionFailure extends Error {
  constructor(
    readonly outcome: 'rejected' | 'unknown',
    readonly apiError: ApiError,
    readonly resourceId?: string,
  ) {
    super(apiError.message);
  }
}

export interface PaymentAttempt {
  readonly ok: boolean;
  readonly reference?: string;
  readonly message?: string;
}

/**
 * What creating a store needs from the outside world. Implemented over the database, the
 * provider client and the payment processor in `use-cases/create-store-ports.ts`. `P` is the
 * product as the implementation finds it: looked up once, then handed back to the ports that
 * need it and to the caller, so nothing looks it up again.
 */
export interface CreateStorePorts<P extends StoreProduct = StoreProduct> {
  findInstallation(teamId: string, installationId: string): Promise<Installation | undefined>;
  /** The product of the installation's integration, by id or slug. */
  findProduct(integrationId: string, productIdOrSlug: string): P | undefined;
  /** The product's plans from its provider, in the provider's order (docs/rules.md §2). */
  listPlans(installation: Installation, product: P, metadata: Metadata | undefined): Promise<BillingPlan[]>;
  /**
   * The product's plans as its provider offers them to anyone (asked without the installation), to
   * tell a plan withdrawn from this installation from one that does not exist; only asked when a
   * create is about to be refused. Never throws: [] when the provider cannot answer.
   */
  listGeneralPlans(installation: Installation, product: P, metadata: Metadata | undefined): Promise<BillingPlan[]>;
  findLiveStoreByName(installationId: string, name: string): Promise<Store | undefined>;
  findLiveStoreByExternalId(installationId: string, externalId: string): Promise<Store | undefined>;
  /** The team's usable payment methods (the shared test methods included) and its default. */
  paymentMethodsOf(teamId: string): Promise<{ methods: PaymentMethodRef[]; defaultId: string | null }>;
  /** Inserts the store in `provisioning`; false when a unique name/externalId index refused it. */
  insertProvisioning(store: Store): Promise<boolean>;
  deleteProvisioning(storeId: string): Promise<void>;
  recordExternalId(storeId: string, externalResourceId: string): Promise<void>;
  /**
   * Makes the store live; undefined when its installation is no longer `ready` (an uninstall
   * began meanwhile: docs/uninstall-and-creates.md), and then nothing was changed.
   */
  markLive(store: Store, resource: ProvisionedResource): Promise<Store | undefined>;
  authorize(store: Store, methodId: string, amountCents: number): Promise<PaymentAttempt>;
  charge(store: Store, methodId: string, amountCents: number, step: 'prepayment' | 'initial'): Promise<PaymentAttempt>;
  /** Reverses a charge and records the refund; idempotent per store and step. */
  refund(store: Store, step: 'prepayment' | 'initial', chargeReference: string, amountCents: number, reason: string): Promise<void>;
  /** Credits a prepayment to the store's balance (a ledger row). */
  credit(store: Store, amountCents: number): Promise<void>;
  /**
   * Provision Purchase (docs/invoices.md): tells the provider that the store's paid prepayment
   * invoice bought credits for resource `resourceId`, and keeps the balances it answers. Safe to
   * repeat (the provider is called with the invoice's key). Throws `ProvisionFailure` when the
   * provider does not take the purchase.
   */
  purchaseCredits(store: Store, installation: Installation, product: P, resourceId: string): Promise<void>;
  /** Provision Resource with the store's provision key as Idempotency-Key. */
  provision(store: Store, installation: Installation, product: P): Promise<ProvisionedResource>;
  /**
   * Deletes what the provider may have made for this store (orphan mitigation, docs/rules.md §6):
   * by id when known, otherwise recorded and reconciled later. Never throws.
   */
  cleanUpAtProvider(store: Store, installation: Installation, resourceId: string | undefined): Promise<void>;
  now(): number;
}

export interface CreateStoreCommand {
  readonly teamId: string;
  readonly teamBillingState: BillingState;
  readonly userId: string;
  readonly name: string;
  readonly integrationConfigurationId: string;
  readonly integrationProductIdOrSlug: string;
  readonly metadata?: Metadata;
  readonly externalId?: string;
  readonly protocolSettings?: Readonly<Record<string, unknown>>;
  readonly source: string;
  readonly billingPlanId?: string;
  readonly paymentMethodId?: string;
  readonly prepaymentAmountCents?: number;
}

/**
 * Creates a store (docs/rules.md §1, in its order of checks): installation and product (404), plan
 * (400), metadata (400), conflicts (409), payment (400/402), then provisioning. Money moves only
 * around a store row written in `provisioning` first, and every failure after that row undoes
 * what was done (refund, delete at the provider, drop the row) before it answers, so a failed
 * create leaves nothing charged and nothing behind. A crash between steps is repaired by recovery,
 * which reads the same row.
 */
export async function createStore<P extends StoreProduct>(ports: CreateStorePorts<P>, command: CreateStoreCommand): Promise<{ store: Store; created: boolean; product: P }> {
  const installation = await ports.findInstallation(command.teamId, command.integrationConfigurationId);
  if (!installation || installation.status !== 'ready') {
    throw new ApiError('not_found', `The integration configuration ${command.integrationConfigurationId} was not found for this team.`, { param: 'integrationConfigurationId' });
  }
  const product = ports.findProduct(installation.integrationId, command.integrationProductIdOrSlug);
  if (!product) {
    throw new ApiError('not_found', `The product ${command.integrationProductIdOrSlug} was not found in this integration.`, { param: 'integrationProductIdOrSlug' });
  }

  const plans = await ports.listPlans(installation, product, command.metadata);
  if (isRequestedPlanMissing(plans, command.billingPlanId)) {
    // About to refuse: say so plainly when the provider only withdrew the plan for now.
    const general = await ports.listGeneralPlans(installation, product, command.metadata);
    const withdrawn = withdrawnPlanError(plans, general, command.billingPlanId, installation.id);
    if (withdrawn) throw withdrawn;
  }
  const plan = selectBillingPlan(plans, command.billingPlanId);
  const metadata = validateMetadata(compileMetadataValidator(product.metadataSchema), command.metadata);

  const retried = await retriedStoreOrThrowConflict(ports, installation, command, product, plan);
  // A natural retry has this product (retriedStoreOrThrowConflict compared it).
  if (retried) return { store: retried, created: false, product };

  // A free plan with no method named never uses the team's methods, so they are not read: two
  // queries fewer on the most common create (issue 7). A named method is still checked.
  const needsMethods = command.paymentMethodId !== undefined || planNeedsPayment(plan);
  const { methods, defaultId } = needsMethods ? await ports.paymentMethodsOf(command.teamId) : { methods: [], defaultId: null };
  const method = resolvePaymentMethod(command.paymentMethodId, methods, defaultId);
  const payment = planPayment({
    plan,
    prepaymentAmountCents: command.prepaymentAmountCents,
    paymentMethod: method,
    team: { billingState: command.teamBillingState },
  });

  const now = ports.now();
  const store: Store = {
    id: newId('store'),
    teamId: command.teamId,
    installationId: installation.id,
    integrationId: installation.integrationId,
    productId: product.id,
    name: command.name,
    externalId: command.externalId ?? null,
    source: command.source,
    createdBy: command.userId,
    billingPlan: plan,
    metadata,
    protocolSettings: command.protocolSettings ?? null,
    lifecycle: 'provisioning',
    status: null,
    externalResourceId: null,
    externalResourceStatus: null,
    notification: null,
    secrets: [],
    provisionKey: newId('prov'),
    payment,
    createdAt: now,
    updatedAt: now,
    deletedAt: null,
  };
  if (!(await ports.insertProvisioning(store))) {
    // Another request took the name or externalId between the check and the insert.
    const retriedAfterRace = await retriedStoreOrThrowConflict(ports, installation, command, product, plan);
    if (retriedAfterRace) return { store: retriedAfterRace, created: false, product };
    throw new ApiError('conflict', `A store named "${command.name}" is being created in this installation right now.`);
  }

  return { store: await payAndProvision(ports, store, installation, product, payment), created: true, product };
}

/**
 * Pays for and provisions a store whose row is written `provisioning`, then makes it live; every
 * failure undoes what was done (refund, delete at the provider, drop the row) and throws. Every
 * step is idempotent (ledger operation keys, the processor's idempotency keys, the store's
 * `provision_key` at the provider), so crash recovery (`jobs/store-recovery.ts`) runs it
 * again on a row a dead process left behind and gets the same charges and the same resource.
 * Crash tests stop a create between these port calls (`withPausePoints` wraps the ports from
 * outside), so a new step belongs in a port, not between them.
 */
export async function payAndProvision<P extends StoreProduct>(ports: CreateStorePorts<P>, store: Store, installation: Installation, product: P, payment: PaymentPlan): Promise<Store> {
  let prepaymentReference: string | undefined;
  // Before the provider is called: check the card (subscription) or take the prepayment.
  if (payment.kind === 'subscription' && payment.authorizeCents > 0) {
    const auth = await ports.authorize(store, payment.paymentMethodId, payment.authorizeCents);
    if (!auth.ok) return abandon(ports, store, declined(auth));
  } else if (payment.kind === 'prepayment') {
    const charge = await ports.charge(store, payment.paymentMethodId, payment.amountCents, 'prepayment');
    if (!charge.ok) return abandon(ports, store, declined(charge));
    prepaymentReference = charge.reference;
  }

  let resource: ProvisionedResource;
  try {
    resource = await ports.provision(store, installation, product);
  } catch (error) {
    const failure = error instanceof ProvisionFailure ? error : new ProvisionFailure('unknown', new ApiError('provisioning_failed'));
    if (prepaymentReference && payment.kind === 'prepayment') {
      await ports.refund(store, 'prepayment', prepaymentReference, payment.amountCents, 'provisioning failed');
    }
    if (failure.outcome === 'unknown') await ports.cleanUpAtProvider(store, installation, failure.resourceId);
    return abandon(ports, store, failure.apiError);
  }
  await ports.recordExternalId(store.id, resource.id);

  // After the provider made it: charge the subscription's first invoice, or report the prepaid
  // purchase to the provider (Provision Purchase) and credit it.
  let initialReference: string | undefined;
  if (payment.kind === 'subscription' && payment.initialChargeCents > 0) {
    const charge = await ports.charge(store, payment.paymentMethodId, payment.initialChargeCents, 'initial');
    if (!charge.ok) {
      // Nothing delivered that is not paid for: the resource goes again.
      await ports.cleanUpAtProvider(store, installation, resource.id);
      return abandon(ports, store, declined(charge));
    }
    initialReference = charge.reference;
  } else if (payment.kind === 'prepayment') {
    try {
      await ports.purchaseCredits(store, installation, product, resource.id);
    } catch (error) {
      // Nothing delivered that is not recorded (docs/rules.md §3): the credits never reached the
      // provider's books, so the purchase is refunded and the resource goes again.
      const failure = error instanceof ProvisionFailure ? error : new ProvisionFailure('unknown', new ApiError('provisioning_failed'));
      if (prepaymentReference) await ports.refund(store, 'prepayment', prepaymentReference, payment.amountCents, 'the provider did not take the credit purchase');
      await ports.cleanUpAtProvider(store, installation, resource.id);
      return abandon(ports, store, failure.apiError);
    }
    await ports.credit(store, payment.amountCents);
  }
  const live = await ports.markLive(store, resource);
  if (live) return live;

  // The installation is being (or was) uninstalled: an uninstall and a create are ordered by the
  // installation's state, and the uninstall came first, so this create fails and is undone.
  const reason = `the installation ${installation.id} was uninstalled while the store was being created`;
  if (initialReference && payment.kind === 'subscription') await ports.refund(store, 'initial', initialReference, payment.initialChargeCents, reason);
  if (prepaymentReference && payment.kind === 'prepayment') await ports.refund(store, 'prepayment', prepaymentReference, payment.amountCents, reason);
  await ports.cleanUpAtProvider(store, installation, resource.id);
  return abandon(ports, store, new ApiError('conflict', `The integration configuration ${installation.id} was uninstalled while the store was being created; every charge was refunded.`));
}

async function abandon(ports: CreateStorePorts, store: Store, error: ApiError): Promise<never> {
  await ports.deleteProvisioning(store.id);
  throw error;
}

/** The 402 for a declined authorization or charge, in the processor's words. */
export function declined(attempt: PaymentAttempt): ApiError {
  return new ApiError('payment_declined', attempt.message ?? 'The payment method was declined.');
}

/**
 * Name and externalId conflicts (docs/rules.md §4): returns the existing store when this create is
 * a natural retry of it (the same externalId with the same name, product and plan, and live),
 * throws 409 with the existing store's id for any other store holding the externalId or the name,
 * and returns undefined when both are free.
 */
async function retriedStoreOrThrowConflict<P extends StoreProduct>(
  ports: CreateStorePorts<P>,
  installation: Installation,
  command: CreateStoreCommand,
  product: StoreProduct,
  plan: BillingPlan,
): Promise<Store | undefined> {
  if (command.externalId !== undefined) {
    const same = await ports.findLiveStoreByExternalId(installation.id, command.externalId);
    if (same) {
      const isRetry = same.name === command.name && same.productId === product.id && same.billingPlan.id === plan.id;
      if (isRetry && same.lifecycle === 'live') return same;
      if (isRetry) throw new ApiError('conflict', `The store with externalId "${command.externalId}" is still being created; retry shortly.`, { storeId: same.id });
      throw new ApiError('conflict', `The externalId "${command.externalId}" is already used by store ${same.id} with a different name, product or plan.`, { storeId: same.id });
    }
  }
  const named = await ports.findLiveStoreByName(installation.id, command.name);
  if (named) throw new ApiError('conflict', `A store named "${command.name}" already exists in this installation.`, { storeId: named.id });
  return undefined;
}

/** The store's fields once the provider answered (docs/rules.md §6). */
export function provisionedFields(resource: ProvisionedResource): { status: Store['status']; externalResourceStatus: string | null; secrets: SecretInfo[] } {
  return {
    status: mapResourceStatus(resource.status),
    externalResourceStatus: toExternalResourceStatus(resource.status),
    secrets: resource.secrets.map((s) => ({ name: s.name, length: s.value.length })),
  };
}
