import { randomUUID } from 'node:crypto';
import type { CheckScope } from '../check-scope.js';
import type { Check, Life, TrackedResource } from '../life.js';
import type { Exchange } from '../partner-http.js';
import { credentialValues } from '../secret-leaks.js';
import { paths, rememberSecrets, skipWhenNotServed } from '../life.js';
import { isObject, rotationProblems, secretsOf, secretsProblems } from '../wire-rules.js';
import { firstResourceOrSkip } from './resource-checks.js';

const ROTATION_WANTED = '200 {sync: true, secrets} or 202 {sync: false} (Request Secrets Rotation)';

export const rotateSecrets: Check = {
  id: 'rotate-secrets',
  title: 'Request Secrets Rotation',
  spec: 'Request Secrets Rotation',
  async run(scope, life) {
    const resource = firstResourceOrSkip(scope, life);
    const exchange = await scope.send({
      method: 'POST',
      path: paths.rotate(life.installationId, resource.id),
      token: await life.mint.user(life.installationId),
      body: { reason: 'stockroom check-partner: rotation check', delayOldSecretsExpirationHours: 0 },
      idempotencyKey: randomUUID(),
    });
    // Vercel enables rotation per integration; a partner without it does not serve the route.
    if (isObject(exchange.json)) rememberSecrets(life, exchange.json.secrets);
    skipWhenNotServed(scope, life, exchange, 'rotation is enabled per integration');
    if (!scope.expectStatus(exchange, { ok: [200, 202], wanted: ROTATION_WANTED })) return;
    const emptyAccepted = exchange.status === 202 && exchange.text.trim() === '';
    if (emptyAccepted) scope.warn('202 with an empty body', '202 {"sync": false}: Vercel reads an empty 202 the same way, but the partner API documents the body', exchange);
    else if (!scope.expectShape(exchange, rotationProblems(exchange.json, exchange.status!), ROTATION_WANTED)) return;
    const body = emptyAccepted ? { sync: false } : (exchange.json as Record<string, unknown>);
    if (body.sync === false) {
      life.asyncRotation = { resource, requestedAt: Date.now() };
      return;
    }
    judgeRotatedSecrets(scope, life, resource, body.secrets, body.partial === true, exchange);
  },
};

export const rotateSecretsAsync: Check = {
  id: 'rotate-secrets-async',
  title: 'An asynchronous rotation delivers the new secrets',
  spec: 'Request Secrets Rotation (202) → Update Resource Secrets',
  async run(scope, life) {
    const rotation = life.asyncRotation;
    if (!rotation) return scope.skip('the partner rotated synchronously (or did not rotate)');
    const push = await life.vercel.waitForSecretsPush(life.installationId, rotation.resource.id, life.settings.callbackTimeoutMs, life.signal);
    if (!push) {
      scope.fail(
        `no Update Resource Secrets call for ${rotation.resource.id} reached ${life.vercel.url} within ${life.settings.callbackTimeoutMs} ms`,
        `after answering 202 {sync: false}, PUT ${life.vercel.url}/v1/installations/${life.installationId}/resources/${rotation.resource.id}/secrets with the new secrets and the installation's access token`,
      );
      return;
    }
    rememberSecrets(life, isObject(push.body) ? push.body.secrets : undefined);
    if (!push.authorized) scope.fail("the Update Resource Secrets call did not carry the installation's access token", 'Authorization: Bearer <credentials.access_token from Upsert Installation>');
    const body = isObject(push.body) ? push.body : {};
    const problems = secretsProblems(body.secrets, 'secrets');
    for (const problem of problems) scope.fail(`Update Resource Secrets: ${problem}`, 'a body {secrets: [{name, value}], partial?}');
    if (problems.length === 0) judgeRotatedSecrets(scope, life, rotation.resource, body.secrets, body.partial === true);
  },
};

/** New secrets from a rotation: the provision's names (all of them unless partial), new credential values. */
function judgeRotatedSecrets(scope: CheckScope, life: Life, resource: TrackedResource, secrets: unknown, partial: boolean, exchange?: Exchange): void {
  const rotated = secretsOf(secrets);
  const before = resource.secrets.map((s) => s.name);
  const after = rotated.map((s) => s.name);
  const missing = partial ? [] : before.filter((n) => !after.includes(n));
  const added = after.filter((n) => !before.includes(n));
  if (resource.secrets.length > 0 && (missing.length > 0 || added.length > 0)) {
    const difference = [missing.length ? `missing ${missing.join(', ')}` : '', added.length ? `new ${added.join(', ')}` : ''].filter(Boolean).join('; ');
    scope.fail(`the rotated secrets differ in names from the provisioned ones: ${difference}`, 'the same secret names with new values (partial: true for a subset)', exchange);
  }
  const old = new Set(credentialValues(resource.secrets));
  const unchanged = rotated.filter((s) => old.has(s.value)).map((s) => s.name);
  if (unchanged.length > 0) scope.warn(`the rotation answered the old value of ${unchanged.join(', ')}`, 'new credentials: a rotation that keeps a leaked password does not end the leak', exchange);
}
