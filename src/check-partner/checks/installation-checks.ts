import { randomUUID } from 'node:crypto';
import type { Life } from '../life.js';
import { paths, skipWhenNotServed, type Check } from '../life.js';
import type { CheckScope } from '../check-scope.js';
import type { Exchange } from '../partner-http.js';
import { installationProblems, isObject } from '../wire-rules.js';
import { selectFreePlan } from './plan-checks.js';

/** The Upsert Installation body Vercel sends when a team accepts the integration's terms. */
export function upsertBody(life: Life, accessToken: string): Record<string, unknown> {
  return {
    scopes: ['read-write:integration-resource'],
    acceptedPolicies: { toc: new Date().toISOString() },
    credentials: { access_token: accessToken, token_type: 'Bearer' },
    account: { name: `stockroom check-partner ${life.runId}`, url: 'https://example.com/stockroom-check-partner', contact: { email: 'check-partner@example.com', name: 'stockroom check-partner' } },
  };
}

/** Upserts an installation; true when the partner took it. */
async function upsert(scope: CheckScope, life: Life, installationId: string, accessToken: string): Promise<boolean> {
  life.vercel.trust(installationId, accessToken);
  // Counted as live before it is sent: a request cut short (a timeout, Ctrl-C) may still have
  // been committed at the partner, and the cleanup's Delete Installation takes a 404 as done.
  life.liveInstallations.add(installationId);
  const exchange = await scope.send({
    method: 'PUT',
    path: paths.installation(installationId),
    token: await life.mint.user(installationId),
    body: upsertBody(life, accessToken),
    idempotencyKey: randomUUID(),
  });
  return scope.expectStatus(exchange, { ok: [200, 204], tolerated: [201, 202], wanted: '200 {billingPlan?, notification?} or 204 (Upsert Installation)' }) && checkInstallationBody(scope, exchange);
}

/** A 200 with a body must be `{billingPlan?, notification?}`; an empty 200 is read as `{}`. */
function checkInstallationBody(scope: CheckScope, exchange: Exchange): boolean {
  if (exchange.status !== 200 || exchange.text.trim() === '') return true;
  if (!exchange.isJson) {
    scope.fail('the 200 answer is not JSON', 'an object {billingPlan?, notification?}', exchange);
    return false;
  }
  return scope.expectShape(exchange, installationProblems(exchange.json), 'an object {billingPlan?, notification?} (Upsert/Get Installation)');
}

export const upsertInstallation: Check = {
  id: 'upsert-installation',
  title: 'Upsert Installation: a team accepts the terms',
  spec: 'Upsert Installation',
  async run(scope, life) {
    await upsert(scope, life, life.installationId, life.accessToken);
    // A second installation of the same team, so that its token can be tried on the first one's
    // resources (refuse-other-installation): it must exist at the partner for that to mean anything.
    await upsert(scope, life, life.otherInstallationId, life.otherAccessToken);
  },
};

export const getInstallation: Check = {
  id: 'get-installation',
  title: 'Get Installation: its plan and notification',
  spec: 'Get Installation (optional)',
  async run(scope, life) {
    const exchange = await scope.send({ method: 'GET', path: paths.installation(life.installationId), token: await life.mint.system(life.installationId) });
    skipWhenNotServed(scope, life, exchange, 'the endpoint is optional');
    if (scope.expectStatus(exchange, { ok: [200], wanted: '200 {billingPlan?, notification?} (Get Installation)' })) checkInstallationBody(scope, exchange);
  },
};

export const updateInstallationPlan: Check = {
  id: 'update-installation-plan',
  title: 'Update Installation: an installation-level plan change, and a plan not offered',
  spec: 'Update Installation (optional)',
  async run(scope, life) {
    // Only a partner that offers installation-level plans is asked: the others bill per resource.
    const offered = (life.installationPlans ?? []).filter((p) => p.scope === 'installation' && p.disabled !== true && typeof p.id === 'string');
    if (offered.length === 0) scope.skip('no installation-level plan (scope "installation") in List Billing Plans For Installation');
    // A free one first: nothing a real team would pay for.
    const plan = selectFreePlan(offered) ?? offered[0]!;
    const change = await scope.send({
      method: 'PATCH',
      path: paths.installation(life.installationId),
      token: await life.mint.user(life.installationId),
      body: { billingPlanId: plan.id },
      idempotencyKey: randomUUID(),
    });
    if (scope.expectStatus(change, { ok: [200, 204], wanted: `200 {billingPlan?, notification?} or 204: moved to "${String(plan.id)}" (Update Installation)` }) && checkInstallationBody(scope, change)) {
      const answered = isObject(change.json) && isObject(change.json.billingPlan) ? change.json.billingPlan.id : undefined;
      if (answered !== undefined && answered !== plan.id) scope.fail(`billingPlan.id is ${JSON.stringify(answered)}`, `the plan asked for, "${String(plan.id)}"`, change);
    }
    const unknown = await scope.send({
      method: 'PATCH',
      path: paths.installation(life.installationId),
      token: await life.mint.user(life.installationId),
      body: { billingPlanId: `${life.settings.prefix}-no-such-plan` },
      idempotencyKey: randomUUID(),
    });
    scope.expectStatus(unknown, { ok: [400], tolerated: [409, 422], wanted: '400 {error: {code, message, fields?}}: the plan is not offered (Update Installation)' });
  },
};

export const deleteInstallation: Check = {
  id: 'delete-installation',
  title: 'Delete Installation: the team uninstalls',
  spec: 'Delete Installation',
  async run(scope, life) {
    const exchange = await scope.send({
      method: 'DELETE',
      path: paths.installation(life.installationId),
      token: await life.mint.user(life.installationId),
      body: { cascadeResourceDeletion: true, reason: 'stockroom check-partner: end of the checked life' },
      idempotencyKey: randomUUID(),
    });
    if (!scope.expectStatus(exchange, { ok: [200, 204], tolerated: [202], wanted: '200 {finalized?: boolean} or 204 (Delete Installation)' })) return;
    life.liveInstallations.delete(life.installationId);
    for (const resource of life.resources) resource.deleted = true; // cascadeResourceDeletion
    if (exchange.status === 200 && exchange.text.trim() !== '') {
      if (!exchange.isJson || !isObject(exchange.json)) scope.fail('the 200 answer is not a JSON object', '{finalized?: boolean} or an empty 204', exchange);
      else if (exchange.json.finalized !== undefined && typeof exchange.json.finalized !== 'boolean') scope.fail(`finalized is ${JSON.stringify(exchange.json.finalized)}`, 'finalized, when sent, is a boolean (false: final invoices are still to come)', exchange);
    }
  },
};
