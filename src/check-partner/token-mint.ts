import { SignJWT } from 'jose';
import { systemClaims, systemSubject, userClaims, userSubject } from '../providers/signing-keys.js';
import type { CheckerKey } from './signing-key-file.js';

/** Who the checker's tokens speak for: one team, one person, two installations. */
export interface Identity {
  readonly accountId: string;
  readonly userId: string;
  readonly userEmail: string;
  readonly userName: string;
}

/** The ways a token can be wrong that a partner must refuse. */
export type TokenFault = 'expired' | 'wrong-audience' | 'wrong-issuer' | 'unknown-key' | 'bad-signature';

export interface TokenMint {
  /** User auth, as Vercel sends for what a person does (Upsert, Provision, Update, Delete). */
  user(installationId: string, role?: 'ADMIN' | 'USER', fault?: TokenFault): Promise<string>;
  /** System auth, as Vercel sends for reads and plan lists; `null` before the team installs. */
  system(installationId: string | null, fault?: TokenFault): Promise<string>;
}

export interface TokenMintOptions {
  readonly issuer: string;
  readonly audience: string;
  readonly identity: Identity;
  /** Published in the JWKS. */
  readonly key: CheckerKey;
  /** Not published: signs the unknown-key and bad-signature tokens. */
  readonly strangerKey: CheckerKey;
}

/** Lifetime of a good token, seconds; Stockroom uses the same. */
const TTL_S = 5 * 60;
/** How long ago an expired token expired: far beyond any clock tolerance a partner allows. */
const EXPIRED_AGO_S = 15 * 60;

/**
 * Signs RS256 tokens with the claim sets Stockroom signs (providers/signing-keys.ts), so that a
 * partner that accepts the checker's tokens accepts Stockroom's and Vercel's; and the faulty ones a
 * partner must refuse.
 */
export function createTokenMint(options: TokenMintOptions): TokenMint {
  const { identity } = options;
  async function sign(subject: string, claims: Record<string, unknown>, fault: TokenFault | undefined): Promise<string> {
    const nowS = Math.floor(Date.now() / 1000);
    const issuedAt = fault === 'expired' ? nowS - EXPIRED_AGO_S - TTL_S : nowS;
    const key = fault === 'unknown-key' || fault === 'bad-signature' ? options.strangerKey : options.key;
    // A bad signature names the published key, so the partner finds it and must check the signature.
    const kid = fault === 'bad-signature' ? options.key.kid : key.kid;
    return new SignJWT(claims)
      .setProtectedHeader({ alg: 'RS256', kid, typ: 'JWT' })
      .setIssuer(fault === 'wrong-issuer' ? `${options.issuer.replace(/\/+$/, '')}/other` : options.issuer)
      .setAudience(fault === 'wrong-audience' ? `${options.audience}-other` : options.audience)
      .setSubject(subject)
      .setIssuedAt(issuedAt)
      .setExpirationTime(issuedAt + TTL_S)
      .sign(key.privateKey);
  }
  return {
    user(installationId, role = 'ADMIN', fault) {
      const claims = userClaims(
        { audience: options.audience, accountId: identity.accountId, installationId, userId: identity.userId, userRole: role, userEmail: identity.userEmail, userName: identity.userName },
        'access_token',
      );
      return sign(userSubject(identity), claims, fault);
    },
    system(installationId, fault) {
      return sign(systemSubject(identity), systemClaims({ audience: options.audience, accountId: identity.accountId, installationId }), fault);
    },
  };
}
