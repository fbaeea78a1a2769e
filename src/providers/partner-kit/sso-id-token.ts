import { createRemoteJWKSet, jwtVerify, type JWTPayload, type JWTVerifyGetKey } from 'jose';

/** Who signed in, from the SSO `id_token` (partner-api.md §1.3, user auth claims). */
export interface SsoIdentity {
  readonly installationId: string;
  readonly accountId: string | null;
  readonly userId: string | null;
  readonly userName: string | null;
  readonly userEmail: string | null;
  readonly userRole: string | null;
  readonly claims: JWTPayload;
}

export interface SsoVerifierSettings {
  /** The `iss` required: Stockroom's (Vercel's) issuer. */
  readonly issuer: string | (() => string);
  /** The `aud` required: the integration's client id. */
  readonly clientId: string;
  readonly jwksUrl: string | (() => string);
  readonly now: () => number;
}

/**
 * Verifies an SSO `id_token` against the issuer's JWKS: RS256, `iss`, `aud`, `exp`, and an
 * `installation_id`. The key set is fetched on first use and cached by jose (refetched on a new `kid`).
 */
export function createSsoVerifier(settings: SsoVerifierSettings): (idToken: string) => Promise<SsoIdentity> {
  let keys: JWTVerifyGetKey | undefined;
  const resolve = (value: string | (() => string)) => (typeof value === 'function' ? value() : value);
  return async (idToken) => {
    keys ??= createRemoteJWKSet(new URL(resolve(settings.jwksUrl)));
    const { payload } = await jwtVerify(idToken, keys, {
      issuer: resolve(settings.issuer),
      audience: settings.clientId,
      algorithms: ['RS256'],
      requiredClaims: ['exp', 'installation_id'],
      currentDate: new Date(settings.now()),
      clockTolerance: 5,
    });
    const text = (value: unknown) => (typeof value === 'string' && value !== '' ? value : null);
    return {
      installationId: String(payload.installation_id),
      accountId: text(payload.account_id),
      userId: text(payload.user_id),
      userName: text(payload.user_name),
      userEmail: text(payload.user_email),
      userRole: text(payload.user_role),
      claims: payload,
    };
  };
}
