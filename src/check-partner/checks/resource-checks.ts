import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import type { CheckScope } from '../check-scope.js';
import type { Check, Life, TrackedResource } from '../life.js';
import { getResourceRequest, paths, skipWhenNotServed } from '../life.js';
import { leakPaths } from '../secret-leaks.js';
import { isObject, resourceProblems } from '../wire-rules.js';

/** The resources of the life's own provisions that are still live. */
export function checkedResources(life: Life): TrackedResource[] {
  return life.resources.filter((r) => r.role !== 'stray' && !r.deleted);
}

/**
 * How long after reading `ready` the checker still waits for the partner's `resource.updated`
 * event: a partner naturally changes the status first and then tells Vercel, so the event may be
 * on its way when the status is read.
 */
const EVENT_GRACE_MS = 5_000;

const NO_RESOURCE = 'no provision succeeded';

/** The live resources a check works on; the check is skipped when no provision succeeded. */
export function resourcesOrSkip(scope: CheckScope, life: Life): TrackedResource[] {
  const resources = checkedResources(life);
  return resources.length > 0 ? resources : scope.skip(NO_RESOURCE);
}

/** The first live resource, for a check that needs one; skipped when no provision succeeded. */
export function firstResourceOrSkip(scope: CheckScope, life: Life): TrackedResource {
  return checkedResources(life)[0] ?? scope.skip(NO_RESOURCE);
}

/** How often a pending resource is read again. */
const READY_POLL_MS = 250;

export const getResource: Check = {
  id: 'get-resource',
  title: 'Get Resource of each resource created',
  spec: 'Get Resource',
  async run(scope, life) {
    const resources = resourcesOrSkip(scope, life);
    for (const resource of resources) {
      const exchange = await scope.send(await getResourceRequest(life, resource.id));
      if (!scope.expectStatus(exchange, { ok: [200], wanted: '200 with the Resource, without secrets (Get Resource)' })) continue;
      scope.expectShape(exchange, resourceProblems(exchange.json, { id: resource.id, productId: life.settings.product, name: resource.name }), 'the Resource as provisioned: same id, name, productId (Get Resource)');
      const leaks = leakPaths(exchange.json, [...life.sensitive]);
      if (leaks.length > 0) scope.warn(`a credential or token appears in ${leaks.join(', ')}`, 'only Provision Resource (and a rotation) answers secrets; Vercel re-reads resources often and logs what it reads', exchange);
      if (isObject(exchange.json) && typeof exchange.json.status === 'string') resource.status = exchange.json.status;
    }
  },
};

export const getResourceUnknown: Check = {
  id: 'get-resource-unknown',
  title: 'Get Resource of an id that does not exist',
  spec: 'Get Resource (404)',
  async run(scope, life) {
    const exchange = await scope.send({ method: 'GET', path: paths.resource(life.installationId, `${life.settings.prefix}-no-such-resource`), token: await life.mint.system(life.installationId) });
    scope.expectStatus(exchange, { ok: [404, 410], wanted: '404 {error: {code, message}}: Vercel tells a deleted resource from a failing partner by it' });
  },
};

export const readyWithinDeadline: Check = {
  id: 'ready-within-deadline',
  title: 'A pending resource becomes ready',
  spec: 'Provision Resource (asynchronous provisioning)',
  async run(scope, life) {
    const pending = checkedResources(life).filter((r) => r.status === 'pending');
    for (const resource of checkedResources(life).filter((r) => r.status === 'onboarding')) {
      scope.warn(`resource ${resource.id} is onboarding`, 'ready, or pending until ready: onboarding waits for a person to finish at the partner');
    }
    if (pending.length === 0) return; // every resource was ready at once: nothing to wait for
    const deadline = Date.now() + life.settings.readyTimeoutMs;
    for (const resource of pending) {
      let last: Awaited<ReturnType<typeof scope.send>> | undefined;
      while (resource.status === 'pending' && Date.now() < deadline && !life.signal.aborted) {
        await sleep(READY_POLL_MS);
        last = await scope.send(await getResourceRequest(life, resource.id));
        if (last.status === 200 && isObject(last.json) && typeof last.json.status === 'string') resource.status = last.json.status;
      }
      if (resource.status === 'pending') {
        scope.fail(`resource ${resource.id} was still pending after ${life.settings.readyTimeoutMs} ms`, `ready within --ready-timeout-ms (${life.settings.readyTimeoutMs} ms)`, last);
      } else if (resource.status !== 'ready') {
        scope.fail(`resource ${resource.id} went from pending to ${resource.status}`, 'ready', last);
      } else if (!(await life.vercel.waitForResourceUpdated(life.installationId, resource.id, Math.min(life.settings.callbackTimeoutMs, EVENT_GRACE_MS), life.signal))) {
        scope.warn(`resource ${resource.id} became ready without a resource.updated event`, 'Create Event {event: {type: "resource.updated", productId, resourceId}} when a resource changes, so Vercel re-reads it at once instead of polling');
      }
    }
  },
};

export const updateResource: Check = {
  id: 'update-resource',
  title: 'Update Resource: rename',
  spec: 'Update Resource',
  async run(scope, life) {
    const resource = firstResourceOrSkip(scope, life);
    const name = `${resource.name}-renamed`;
    const exchange = await scope.send({ method: 'PATCH', path: paths.resource(life.installationId, resource.id), token: await life.mint.user(life.installationId), body: { name }, idempotencyKey: randomUUID() });
    skipWhenNotServed(scope, life, exchange, 'the endpoint is optional', [405, 501]);
    if (!scope.expectStatus(exchange, { ok: [200], wanted: '200 with the updated Resource (Update Resource)' })) return;
    if (scope.expectShape(exchange, resourceProblems(exchange.json, { id: resource.id, productId: life.settings.product, name }), 'the Resource with the new name (Update Resource)')) resource.name = name;
  },
};

export const deleteResource: Check = {
  id: 'delete-resource',
  title: 'Delete Resource of each resource created',
  spec: 'Delete Resource',
  async run(scope, life) {
    const resources = resourcesOrSkip(scope, life);
    for (const resource of resources) {
      const deletion = await scope.send({ method: 'DELETE', path: paths.resource(life.installationId, resource.id), token: await life.mint.user(life.installationId), idempotencyKey: randomUUID() });
      if (!scope.expectStatus(deletion, { ok: [204], tolerated: [200, 202], wanted: '204 (Delete Resource)' })) continue;
      resource.deleted = true;
      if (deletion.status === 202) continue; // accepted for later: it may still read as it was
      const after = await scope.send(await getResourceRequest(life, resource.id));
      const status = isObject(after.json) ? after.json.status : undefined;
      const gone = after.status === 404 || after.status === 410 || (after.status === 200 && status === 'uninstalled');
      if (!gone) scope.fail(`after Delete Resource, Get Resource answered ${after.status}${status === undefined ? '' : ` with status ${String(status)}`}`, '404 (or the resource with status "uninstalled"): a deleted resource is gone', after);
    }
  },
};
