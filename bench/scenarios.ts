import type { RequestShape } from './load.js';
import type { SeedResult } from './seed.js';

/** What the Stockroom scenarios aim at, known once the server is up and seeded. */
export interface Target {
  readonly token: string;
  readonly installationId: string;
  readonly seed: SeedResult;
}

export type ScenarioKind = 'read' | 'list' | 'create';

export interface Scenario {
  readonly name: string;
  readonly kind: ScenarioKind;
  /** Whether the create-store target (≥ 1,000/s, p99 ≤ 25 ms, no errors) applies. */
  readonly createTarget?: boolean;
  /**
   * Connections instead of the run's (50): one client at a time shows a request's own latency,
   * where 50 show the queue in front of a saturated server (no baseline ratio is computed).
   */
  readonly connections?: number;
  shape(target: Target): RequestShape;
}

/** Names unique across the whole run: the free-plan uniqueness rule is per installation. */
let created = 0;
const uniqueName = (prefix: string) => `${prefix}-${process.pid}-${(created += 1)}`;
const auth = (t: Target) => ({ authorization: `Bearer ${t.token}` });

export const SCENARIOS: readonly Scenario[] = [
  { name: 'GET /v2/user', kind: 'read', shape: (t) => ({ method: 'GET', path: '/v2/user', headers: auth(t) }) },
  {
    name: 'GET plans (acme-db)',
    kind: 'read',
    shape: (t) => ({ method: 'GET', path: `/v1/integrations/integration/acme/products/acme-db/plans?integrationConfigurationId=${t.installationId}`, headers: auth(t) }),
  },
  { name: 'GET /v1/storage/stores/{id}', kind: 'read', shape: (t) => ({ method: 'GET', path: `/v1/storage/stores/${t.seed.middle.id}`, headers: auth(t) }) },
  { name: 'list stores, first page', kind: 'list', shape: (t) => ({ method: 'GET', path: '/v1/storage/stores?limit=20', headers: auth(t) }) },
  {
    name: 'list stores, deep page',
    kind: 'list',
    shape: (t) => ({ method: 'GET', path: `/v1/storage/stores?limit=20&until=${t.seed.deep.createdAt}`, headers: auth(t) }),
  },
  {
    name: 'list stores, first page, 1 connection',
    kind: 'list',
    connections: 1,
    shape: (t) => ({ method: 'GET', path: '/v1/storage/stores?limit=20', headers: auth(t) }),
  },
  {
    name: 'list stores, deep page, 1 connection',
    kind: 'list',
    connections: 1,
    shape: (t) => ({ method: 'GET', path: `/v1/storage/stores?limit=20&until=${t.seed.deep.createdAt}`, headers: auth(t) }),
  },
  {
    name: 'create store, free plan',
    kind: 'create',
    createTarget: true,
    shape: (t) => ({ method: 'POST', path: '/v1/storage/stores/integration/direct', headers: auth(t), body: () => createBody(t, {}) }),
  },
  {
    name: 'create store, paid (pm_card_visa)',
    kind: 'create',
    shape: (t) => ({
      method: 'POST',
      path: '/v1/storage/stores/integration/direct',
      headers: auth(t),
      body: () => createBody(t, { billingPlanId: 'pro', paymentMethodId: 'pm_card_visa' }),
    }),
  },
];

/** The body of a create, as the Vercel SDK sends it. */
export function createBody(t: Pick<Target, 'installationId'>, extra: Record<string, unknown>): string {
  return JSON.stringify({
    name: uniqueName('bench'),
    integrationConfigurationId: t.installationId,
    integrationProductIdOrSlug: 'acme-db',
    metadata: { region: 'iad1' },
    ...extra,
  });
}
