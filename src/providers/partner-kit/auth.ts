import type { FastifyInstance, FastifyRequest } from 'fastify';
import { createRemoteJWKSet, errors, jwtVerify, type JWTPayload, type JWTVerifyGetKey } from 'jose';
import { PartnerError } from './errors.js';

/** The caller as Vercel's OIDC token describes it (partner-api.md §1.3). */
export interface PartnerClaims {
  /** `account:<hex>:user:<hex>` for user auth, `account:<hex>` (or null) for system auth. */
  readonly sub: string | null;
  readonly accountId: string | null;
  /** Null for a system token sent before the integration is installed. */
  readonly installationId: string | null;
  /** Set for user auth only. */
  readonly userId: string | null;
  /** `ADMIN` or `USER` (read-only) for user auth; absent for system auth. */
  readonly userRole: string | null;
}

declare module 'fastify' {
  interface FastifyRequest {
    /** Set by the partner kit's token check on a partner server's routes. */
    partnerClaims: PartnerClaims | null;
  }
}

export interface PartnerAuthSettings {
  readonly clientId: string;
  readonly issuer: string | (() => string);
  readonly jwksUrl: string | (() => string);
  readonly now: () => number;
}

const BEARER = /^Bearer\s+(\S+)$/i;
/** Leeway for clocks that differ a little between Stockroom and the partner, in seconds. */
const CLOCK_TOLERANCE_S = 5;

/**
 * Verifies `Authorization: Bearer <JWT>` on every route of a partner server: an RS256 signature by a
 * key of the JWKS, `iss`, `aud`, `exp`, and the `installation_id` claim against the path. Every
 * failure is 403 `forbidden`, including tokens that cannot be parsed and keys that are not in the
 * JWKS, where Vercel's example partner answers 500 (partner-api.md §1.3). A `USER` role
 * (Vercel's read-only roles) may only read.
 */
export function registerPartnerAuth(app: FastifyInstance, settings: PartnerAuthSettings): void {
  // Created on the first request, because Stockroom may only know its JWKS URL once it listens;
  // jose then caches the keys and refetches them when a token names an unknown `kid`.
  let keys: JWTVerifyGetKey | undefined;
  const keySet = (): JWTVerifyGetKey => (keys ??= createRemoteJWKSet(new URL(resolve(settings.jwksUrl))));
  const verified = createVerifiedTokenCache();

  app.decorateRequest('partnerClaims', null);
  app.addHook('onRequest', async (request) => {
    // Unknown routes have no handler: let the not-found handler answer.
    if (!request.routeOptions.url) return;
    const claims = await verifyToken(request, settings, keySet, verified);
    const pathInstallation = (request.params as { installationId?: string }).installationId;
    if (pathInstallation !== undefined && claims.installationId !== pathInstallation) {
      throw new PartnerError('forbidden', `The token is for installation ${claims.installationId ?? '(none)'}, not ${pathInstallation}.`);
    }
    if (request.method !== 'GET' && claims.userRole === 'USER') {
      throw new PartnerError('forbidden', 'The user role USER may read but not change resources.');
    }
    request.partnerClaims = claims;
  });
}

/** The verified caller of a route behind `registerPartnerAuth`. */
export function claimsOf(request: FastifyRequest): PartnerClaims {
  const claims = request.partnerClaims;
  if (!claims) throw new PartnerError('forbidden', 'The request carries no verified token.');
  return claims;
}

async function verifyToken(request: FastifyRequest, settings: PartnerAuthSettings, keySet: () => JWTVerifyGetKey, verified: VerifiedTokenCache): Promise<PartnerClaims> {
  const match = BEARER.exec(request.headers.authorization ?? '');
  if (!match?.[1]) throw new PartnerError('forbidden', 'Send the token as "Authorization: Bearer <JWT>".');
  const issuer = resolve(settings.issuer);
  const cacheKey = `${issuer}\n${match[1]}`;
  const known = verified.get(cacheKey, settings.now());
  if (known) return known;
  let payload: JWTPayload;
  try {
    ({ payload } = await jwtVerify(match[1], keySet(), {
      issuer,
      audience: settings.clientId,
      algorithms: ['RS256'],
      requiredClaims: ['exp'],
      currentDate: new Date(settings.now()),
      clockTolerance: CLOCK_TOLERANCE_S,
    }));
  } catch (error) {
    throw refusal(request, error);
  }
  const claims: PartnerClaims = {
    sub: stringClaim(payload.sub),
    accountId: stringClaim(payload.account_id),
    installationId: stringClaim(payload.installation_id),
    userId: stringClaim(payload.user_id),
    userRole: stringClaim(payload.user_role),
  };
  if (typeof payload.exp === 'number') verified.set(cacheKey, claims, payload.exp * 1000, settings.now());
  return claims;
}

interface VerifiedTokenCache {
  get(key: string, now: number): PartnerClaims | undefined;
  set(key: string, claims: PartnerClaims, expiresAt: number, now: number): void;
}

/** Bounds memory: Stockroom reuses a token per caller for minutes, so few distinct ones are live. */
const MAX_VERIFIED_TOKENS = 1000;

/**
 * Tokens already verified, until they expire. Stockroom signs a token once per caller and reuses
 * it for minutes, and an RS256 check costs about as much as the rest of a provision; a token's
 * signature, issuer and audience cannot change, so the first check's answer holds until `exp`.
 * A key withdrawn from the JWKS is therefore trusted until its tokens expire (5 minutes at most
 * with Stockroom's tokens), which is as long as a partner caching the JWKS would trust it.
 */
function createVerifiedTokenCache(): VerifiedTokenCache {
  const entries = new Map<string, { readonly claims: PartnerClaims; readonly expiresAt: number }>();
  return {
    get(key, now) {
      const entry = entries.get(key);
      if (!entry) return undefined;
      if (now < entry.expiresAt) return entry.claims;
      entries.delete(key);
      return undefined;
    },
    set(key, claims, expiresAt, now) {
      if (entries.size >= MAX_VERIFIED_TOKENS) {
        for (const [k, v] of entries) if (v.expiresAt <= now) entries.delete(k);
        // Still full of live tokens: drop the oldest.
        const oldest = entries.size >= MAX_VERIFIED_TOKENS ? entries.keys().next().value : undefined;
        if (oldest !== undefined) entries.delete(oldest);
      }
      entries.set(key, { claims, expiresAt });
    },
  };
}

function refusal(request: FastifyRequest, error: unknown): PartnerError {
  if (error instanceof errors.JWTExpired) return new PartnerError('forbidden', 'The token has expired.');
  if (error instanceof errors.JWTClaimValidationFailed) return new PartnerError('forbidden', `The token was refused: ${error.message}.`);
  if (error instanceof errors.JWSSignatureVerificationFailed || error instanceof errors.JWKSNoMatchingKey) {
    return new PartnerError('forbidden', "The token's signature does not match the issuer's keys.");
  }
  if (error instanceof errors.JOSEAlgNotAllowed) return new PartnerError('forbidden', 'The token must be signed with RS256.');
  if (error instanceof errors.JWSInvalid || error instanceof errors.JWTInvalid) return new PartnerError('forbidden', 'The token is malformed.');
  // The JWKS could not be fetched or read: still the caller cannot be trusted, but an operator
  // should hear about it. Only the error is logged, never the token.
  request.log.warn({ err: error }, 'partner server could not verify a token');
  return new PartnerError('forbidden', 'The token could not be verified.');
}

function stringClaim(value: unknown): string | null {
  return typeof value === 'string' && value !== '' ? value : null;
}

function resolve(value: string | (() => string)): string {
  return typeof value === 'function' ? value() : value;
}
