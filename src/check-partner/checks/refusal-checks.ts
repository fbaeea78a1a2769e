import { randomUUID } from 'node:crypto';
import type { Check, Life } from '../life.js';
import { paths, rememberSecrets, resourceName } from '../life.js';
import { isObject } from '../wire-rules.js';
import { trackStray } from './provision-checks.js';
import type { TokenFault } from '../token-mint.js';
import { checkedResources } from './resource-checks.js';

const REFUSED = [401, 403];

/**
 * What the refusals are tried on: a resource of the life (so that a partner that checks tokens
 * only after finding the resource is tried too), or a made-up id when no provision succeeded.
 */
function target(life: Life): string {
  const resource = checkedResources(life)[0];
  return paths.resource(life.installationId, resource?.id ?? `${life.settings.prefix}-no-such-resource`);
}

function refusal(id: string, title: string, spec: string, token: (life: Life) => Promise<string | null>, wanted: string): Check {
  return {
    id,
    title,
    spec,
    async run(scope, life) {
      const exchange = await scope.send({ method: 'GET', path: target(life), token: await token(life) });
      scope.expectStatus(exchange, { ok: REFUSED, wanted: `401 or 403: ${wanted}` });
    },
  };
}

const faulty = (fault: TokenFault) => (life: Life) => life.mint.system(life.installationId, fault);

export const refuseNoToken = refusal('refuse-no-token', 'A request without a token is refused', 'Authentication (Authorization: Bearer)', async () => null, 'every partner API call carries a token; none means no access');
export const refuseMalformedToken = refusal('refuse-malformed-token', 'A token that is not a JWT is refused', 'Authentication (OIDC JWT)', async () => 'not-a-jwt', 'a token that cannot be parsed is a refusal, not a server error');
export const refuseExpiredToken = refusal('refuse-expired-token', 'An expired token is refused', 'Authentication (exp)', faulty('expired'), 'a token past its exp is refused');
export const refuseWrongAudience = refusal('refuse-wrong-audience', "Another integration's token is refused", 'Authentication (aud)', faulty('wrong-audience'), "aud must be the integration's client id");
export const refuseWrongIssuer = refusal('refuse-wrong-issuer', 'A token from another issuer is refused', 'Authentication (iss)', faulty('wrong-issuer'), "iss must be Vercel's (here: the checker's issuer)");
export const refuseUnknownKey = refusal('refuse-unknown-key', 'A token signed by a key not in the JWKS is refused', 'Authentication (JWKS, kid)', faulty('unknown-key'), 'a kid the JWKS does not hold is a refusal, not a server error');
export const refuseBadSignature = refusal('refuse-bad-signature', 'A token whose signature does not match its key is refused', 'Authentication (RS256 signature)', faulty('bad-signature'), 'the signature is checked against the published key');
export const refuseOtherInstallation = refusal(
  'refuse-other-installation',
  "Another installation's token does not open this installation's resources",
  'Authentication (installation_id)',
  (life) => life.mint.system(life.otherInstallationId),
  "the token's installation_id must be the installation in the path",
);

export const refuseUserRoleWrite: Check = {
  id: 'refuse-user-role-write',
  title: 'A USER-role token may read but not write',
  spec: 'Authentication (user_role)',
  async run(scope, life) {
    // Provision Resource: the write every partner serves. Were it accepted, the resource made is
    // the run's like any other, and the cleanup deletes it.
    const plan = life.resources.find((r) => r.role !== 'stray')?.planId ?? String(life.plans?.[0]?.id ?? 'free');
    const request = {
      body: { productId: life.settings.product, name: resourceName(life, 'user-role'), metadata: life.settings.metadata, billingPlanId: plan },
      idempotencyKey: randomUUID(),
    };
    const exchange = await scope.send({ method: 'POST', path: paths.resources(life.installationId), token: await life.mint.user(life.installationId, 'USER'), ...request });
    if (isObject(exchange.json)) rememberSecrets(life, exchange.json.secrets);
    trackStray(life, exchange, request);
    scope.expectStatus(exchange, { ok: REFUSED, wanted: "401 or 403: user_role USER is Vercel's read-only roles (Billing, Viewer)" });
  },
};
