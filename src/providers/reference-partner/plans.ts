import { FREE_PLAN_ID, freePlan, monthlyPlan, type BillingPlan } from '../partner-kit/billing-plan.js';
import type { ReferenceProduct } from './products.js';

/**
 * The tiers every reference product is sold on, in the order callers see them: the first free
 * plan comes first, so free-plan discovery (docs/rules.md §2) picks it. Product limits are added
 * per product by `productPlans`.
 */
const TIERS: readonly BillingPlan[] = [
  freePlan({
    description: 'For side projects and trying things out.',
    details: [{ label: 'Support', value: 'Community' }, { label: 'Backups', value: 'None' }],
    highlightedDetails: [],
  }),
  monthlyPlan({
    id: 'pro',
    name: 'Pro',
    description: 'For production workloads, billed monthly.',
    price: '20.00',
    preauthorizationAmount: 10,
    details: [
      { label: 'Support', value: 'Email, next business day' },
      { label: 'Backups', value: 'Daily, kept 7 days' },
    ],
    highlightedDetails: [],
  }),
  {
    id: 'prepaid',
    type: 'prepayment',
    name: 'Prepaid credits',
    description: 'Buy credits up front; usage is drawn from the balance.',
    scope: 'resource',
    paymentMethodRequired: true,
    minimumAmount: '5.00',
    maximumAmount: '500.00',
    maximumAmountAutoPurchasePerPeriod: '1000.00',
    cost: 'Pay as you go, from $5.00',
    details: [
      { label: 'Support', value: 'Email, next business day' },
      { label: 'Backups', value: 'Daily, kept 7 days' },
      { label: 'Credit purchase', value: '$5.00 to $500.00' },
    ],
    highlightedDetails: [],
  },
];

/**
 * The installation-level plans (`scope: "installation"`), which bill the whole installation
 * rather than one resource: what `vercel integration update <slug> --plan <id>` moves an
 * installation to, through Update Installation (docs/installation-updates.md).
 */
const INSTALLATION_TIERS: readonly BillingPlan[] = [
  {
    ...freePlan({ description: 'The whole installation on the free tier.', details: [{ label: 'Support', value: 'Community' }], highlightedDetails: [] }),
    id: 'hobby',
    name: 'Hobby',
    scope: 'installation',
  },
  {
    ...monthlyPlan({
      id: 'team',
      name: 'Team',
      description: 'One monthly price for the whole installation.',
      price: '50.00',
      preauthorizationAmount: 10,
      details: [{ label: 'Support', value: 'Email, same business day' }],
      highlightedDetails: [],
    }),
    scope: 'installation',
  },
];

/**
 * The plans of a product. When the caller's metadata names a known region, each plan says so, the
 * way a real partner prices by region (the dashboard re-fetches plans as the form changes).
 */
export function productPlans(product: ReferenceProduct, metadata: Readonly<Record<string, unknown>> = {}): BillingPlan[] {
  const region = regionLabel(product, metadata.region);
  return TIERS.map((tier) => ({
    ...tier,
    details: region ? [...tier.details, { label: 'Region', value: region }] : tier.details,
    highlightedDetails: product.planHighlights[tier.id] ?? [],
  }));
}

/** The installation-wide plan list: the tiers without product limits, then the installation-level plans. */
export function installationPlans(): BillingPlan[] {
  return [...TIERS, ...INSTALLATION_TIERS];
}

/** The installation-level plan `id`; undefined when there is none. */
export function findInstallationPlan(id: string): BillingPlan | undefined {
  return INSTALLATION_TIERS.find((plan) => plan.id === id);
}

/** Drops the free plan when the installation may not take another free resource. */
export function offeredPlans(plans: readonly BillingPlan[], freeOffered: boolean): BillingPlan[] {
  return freeOffered ? [...plans] : plans.filter((p) => p.id !== FREE_PLAN_ID);
}

function regionLabel(product: ReferenceProduct, region: unknown): string | null {
  const property = product.metadataSchema.properties.region;
  if (typeof region !== 'string' || property?.type !== 'string') return null;
  return property['ui:options'].find((o) => o.value === region)?.label ?? null;
}
