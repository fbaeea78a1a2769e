import { randomUUID } from 'node:crypto';
import type { CheckScope } from '../check-scope.js';
import type { Check, Life, TrackedResource } from '../life.js';
import { paths, rememberSecrets, resourceName } from '../life.js';
import type { Exchange } from '../partner-http.js';
import { credentialValues, leakPaths } from '../secret-leaks.js';
import { isAddressableId, isObject, resourceProblems, secretsOf, secretsProblems } from '../wire-rules.js';
import { selectFreePlan, selectPaidPlan } from './plan-checks.js';

const PROVISION_WANTED = '200 with the Resource and its secrets (Provision Resource)';

/** The plans to choose from: the first well-formed list a plan check saw. */
function plansOf(scope: CheckScope, life: Life): readonly Record<string, unknown>[] {
  return life.plans ?? scope.skip('no well-formed plan list was answered, so no plan can be chosen');
}

/** Judges a Provision answer and follows the resource; returns it when one was created. */
function judgeProvision(scope: CheckScope, life: Life, exchange: Exchange, request: { body: Record<string, unknown>; idempotencyKey: string }, role: TrackedResource['role']): TrackedResource | undefined {
  const body = exchange.json;
  // Before anything is judged: a finding of any kind shows the body, and must show it masked.
  if (isObject(body)) rememberSecrets(life, body.secrets);
  const ok = scope.expectStatus(exchange, { ok: [200], tolerated: [201], wanted: PROVISION_WANTED });
  // Whatever the status, an answer with an id is a resource that may exist: the cleanup must know it.
  const id = isObject(body) && isAddressableId(body.id) ? body.id : undefined;
  if (!ok) {
    if (id && exchange.status! < 300) life.resources.push(track(role, id, request, body as Record<string, unknown>, []));
    return undefined;
  }
  if (!exchange.isJson || !isObject(body)) {
    scope.fail('the answer is not a JSON object', PROVISION_WANTED, exchange);
    return undefined;
  }
  const { secrets, ...resource } = body;
  scope.expectShape(exchange, resourceProblems(resource, { productId: life.settings.product, name: String(request.body.name) }), 'a Resource: id, productId, name, metadata, status (Provision Resource)');
  if (body.secrets === undefined) scope.fail('the answer has no secrets', 'Provision Resource is the only answer that carries the secrets, so it must carry them: secrets: [{name, value}], at least one', exchange);
  else scope.expectShape(exchange, secretsProblems(secrets, 'secrets'), 'secrets: [{name, value, environmentOverrides?}] with environment-variable names');
  if (Array.isArray(secrets) && secrets.some((s) => isObject(s) && s.prefix !== undefined)) scope.warn('a secret uses prefix, which the partner API deprecates', 'no prefix; Vercel applies the project connection\'s own prefix', exchange);
  const leaks = leakPaths(resource, credentialValues(secretsOf(secrets)));
  if (leaks.length > 0) scope.warn(`a credential from the secrets also appears in ${leaks.join(', ')}`, 'credentials only in secrets: resource fields are shown in dashboards and logs', exchange);
  if (!id) return undefined;
  const tracked = track(role, id, request, resource, secretsOf(secrets));
  life.resources.push(tracked);
  return tracked;
}

function track(role: TrackedResource['role'], id: string, request: { body: Record<string, unknown>; idempotencyKey: string }, resource: Record<string, unknown>, secrets: TrackedResource['secrets']): TrackedResource {
  return {
    role,
    id,
    name: typeof resource.name === 'string' ? resource.name : String(request.body.name),
    status: typeof resource.status === 'string' ? resource.status : 'unknown',
    planId: String(request.body.billingPlanId),
    secrets,
    provision: request,
    deleted: false,
  };
}

async function provision(scope: CheckScope, life: Life, role: 'free' | 'paid', plan: Record<string, unknown>): Promise<void> {
  const request = {
    body: { productId: life.settings.product, name: resourceName(life, role), metadata: life.settings.metadata, billingPlanId: String(plan.id) },
    idempotencyKey: randomUUID(),
  };
  const exchange = await scope.send({ method: 'POST', path: paths.resources(life.installationId), token: await life.mint.user(life.installationId), ...request });
  judgeProvision(scope, life, exchange, request, role);
}

export const provisionFree: Check = {
  id: 'provision-free',
  title: 'Provision Resource on a free plan',
  spec: 'Provision Resource',
  async run(scope, life) {
    const plan = selectFreePlan(plansOf(scope, life));
    if (!plan) return scope.skip('the product offers no free plan (a subscription with paymentMethodRequired false)');
    await provision(scope, life, 'free', plan);
  },
};

export const provisionPaid: Check = {
  id: 'provision-paid',
  title: 'Provision Resource on a paid plan',
  spec: 'Provision Resource',
  async run(scope, life) {
    const plans = plansOf(scope, life);
    const plan = selectPaidPlan(plans, life.settings.planId);
    if (!plan && life.settings.planId !== undefined) {
      scope.fail(`--plan ${life.settings.planId} is not among the plans offered (${plans.map((p) => String(p.id)).join(', ')})`, 'a plan the product offers');
      scope.stop();
    }
    if (!plan) return scope.skip('the product offers no paid plan');
    await provision(scope, life, 'paid', plan);
  },
};

export const provisionIdempotent: Check = {
  id: 'provision-idempotent',
  title: 'Provision Resource again with the same Idempotency-Key',
  spec: 'Idempotency-Key (every mutating call)',
  async run(scope, life) {
    // Vercel retries a provision whose answer it did not get with the same key; the partner must
    // answer with the resource it made, not make a second one.
    const first = life.resources.find((r) => r.role === 'free' || r.role === 'paid');
    if (!first) return scope.skip('no provision succeeded, so there is nothing to repeat');
    const exchange = await scope.send({ method: 'POST', path: paths.resources(life.installationId), token: await life.mint.user(life.installationId), body: first.provision.body, idempotencyKey: first.provision.idempotencyKey });
    if (isObject(exchange.json)) rememberSecrets(life, exchange.json.secrets);
    if (!scope.expectStatus(exchange, { ok: [200], tolerated: [201], wanted: `${PROVISION_WANTED}, the same as the first answer` })) return;
    const id = isObject(exchange.json) ? exchange.json.id : undefined;
    if (id !== first.id) {
      if (isAddressableId(id)) life.resources.push(track('stray', id, first.provision, exchange.json as Record<string, unknown>, []));
      scope.fail(`the repeated request answered resource ${JSON.stringify(id)}, the first one ${JSON.stringify(first.id)}`, 'the same resource for the same Idempotency-Key: a retry must not create a second one', exchange);
      return;
    }
    // The deprecated List Resources shows whether a second resource was made under the same answer.
    const list = await scope.send({ method: 'GET', path: `${paths.resources(life.installationId)}`, token: await life.mint.system(life.installationId) });
    if (list.status === 404 || list.status === 405 || list.status === 501) {
      life.notServed.add(list); // deprecated, so optional: the id comparison above is the check
      return;
    }
    if (!scope.expectStatus(list, { ok: [200], wanted: '200 {resources: Resource[]} (List Resources, deprecated but served)' })) return;
    if (!isObject(list.json) || !Array.isArray(list.json.resources)) {
      scope.fail('List Resources did not answer {resources: [...]}', '200 {resources: Resource[]}', list);
      return;
    }
    const named = list.json.resources.filter((r) => isObject(r) && r.name === first.provision.body.name);
    if (named.length > 1) scope.fail(`List Resources shows ${named.length} resources named ${String(first.provision.body.name)}`, 'one resource per Idempotency-Key', list);
  },
};

export const provisionUnknownPlan: Check = {
  id: 'provision-unknown-plan',
  title: 'Provision Resource with a plan the product does not offer',
  spec: 'Provision Resource (400)',
  async run(scope, life) {
    const request = {
      body: { productId: life.settings.product, name: resourceName(life, 'unknown-plan'), metadata: life.settings.metadata, billingPlanId: `${life.settings.prefix}-no-such-plan` },
      idempotencyKey: randomUUID(),
    };
    const exchange = await scope.send({ method: 'POST', path: paths.resources(life.installationId), token: await life.mint.user(life.installationId), ...request });
    if (isObject(exchange.json)) rememberSecrets(life, exchange.json.secrets);
    trackStray(life, exchange, request);
    scope.expectStatus(exchange, { ok: [400], tolerated: [409, 422], wanted: '400 {error: {code, message, fields?}}: the plan is not offered (Provision Resource)' });
  },
};

/** A resource made by a provision that should have been refused: only the cleanup touches it. */
export function trackStray(life: Life, exchange: Exchange, request: { body: Record<string, unknown>; idempotencyKey: string }): void {
  const id = isObject(exchange.json) ? exchange.json.id : undefined;
  if ((exchange.status ?? 0) < 300 && isAddressableId(id)) life.resources.push(track('stray', id, request, exchange.json as Record<string, unknown>, []));
}
