import assert from 'node:assert/strict';
import type { ApiServer } from './stockroom.js';

/** The installation of the reference integration the bootstrap team starts with. */
export async function bootstrapInstallationId(server: ApiServer, token = server.token): Promise<string> {
  const list = await server.request('GET', '/v1/integrations/configurations?view=account', { token });
  assert.equal(list.status, 200, list.text);
  const id = list.body[0]?.id;
  assert.ok(typeof id === 'string', 'the bootstrap team has an installation');
  return id;
}

export interface CreatedStore {
  readonly id: string;
  readonly externalResourceId: string;
  readonly secretNames: string[];
}

/**
 * Creates an Acme DB store through the real create endpoint, on the free plan, or with `paid` on
 * the `pro` plan with a test card.
 */
export async function createStore(server: ApiServer, icfg: string, name: string, options: { paid?: boolean; token?: string } = {}): Promise<CreatedStore> {
  const body = {
    name,
    integrationConfigurationId: icfg,
    integrationProductIdOrSlug: 'acme-db',
    metadata: { region: 'iad1' },
    ...(options.paid ? { billingPlanId: 'pro', paymentMethodId: 'pm_card_visa' } : {}),
  };
  const res = await server.request('POST', '/v1/storage/stores/integration/direct', { body, ...(options.token ? { token: options.token } : {}) });
  assert.equal(res.status, 200, res.text);
  const store = res.body.store;
  assert.ok(store.secrets.length > 0, 'the store has secrets');
  return { id: store.id, externalResourceId: store.externalResourceId, secretNames: store.secrets.map((s: { name: string }) => s.name) };
}

/** Creates a project of the token's default team (or `teamId`). */
export async function createProject(server: ApiServer, name: string, options: { token?: string; teamId?: string } = {}): Promise<{ id: string; name: string }> {
  const query = options.teamId ? `?teamId=${options.teamId}` : '';
  const res = await server.request('POST', `/v11/projects${query}`, { body: { name }, ...(options.token ? { token: options.token } : {}) });
  assert.equal(res.status, 200, res.text);
  return { id: res.body.id, name: res.body.name };
}
