import { createHash } from 'node:crypto';
import { SignJWT, exportJWK, generateKeyPair, importJWK, type CryptoKey, type JWK } from 'jose';
import type { SecretBox } from '../crypto/secret-box.js';

/**
 * The RS256 keys Stockroom signs partner-API tokens with (partner-api.md §1.3, §2.8;
 * docs/rules.md §6). Keys are immutable once stored, so every replica may cache them.
 */
export interface StoredSigningKey {
  /** The JWT header `kid`; unique, so two replicas racing to create the first key collide. */
  readonly kid: string;
  /** The public JWK as JSON, published at `/.well-known/jwks`. */
  readonly publicJwk: string;
  /** The private JWK as JSON, sealed with the secret box; never stored in the clear. */
  readonly privateJwkSealed: string;
  /** Creation time, epoch milliseconds. */
  readonly createdAt: number;
}

/** Where signing keys live; implemented over the database. */
export interface SigningKeyStore {
  /** Every key, newest first. */
  listKeys(): Promise<StoredSigningKey[]>;
  /** Stores a key; `false` when a key with that `kid` exists (another replica inserted first). */
  insertKey(key: StoredSigningKey): Promise<boolean>;
}

/** Claims of a token for a call a person triggers ("user auth", partner-api.md §1.3). */
export interface UserTokenClaims {
  /** The integration's client id (`oac_…`), the token's `aud`. */
  readonly audience: string;
  /** Stockroom's team id, sent as `account_id`. */
  readonly accountId: string;
  /** The installation (`icfg_…`), the same one as in the request path. */
  readonly installationId: string;
  readonly userId: string;
  /** `USER` is read-only at the partner (Vercel's Billing/Viewer roles). */
  readonly userRole: 'ADMIN' | 'USER';
  readonly userEmail?: string;
  readonly userName?: string;
}

/** Claims of a token for a call Stockroom makes on its own ("system auth", partner-api.md §1.3). */
export interface SystemTokenClaims {
  readonly audience: string;
  readonly accountId: string;
  /** `null` before the integration is installed (plan listing, partner-api.md §1.1 #12). */
  readonly installationId: string | null;
}

/**
 * Claims of an SSO `id_token` ("Open in provider", partner-api.md §1.3): who opened the partner's
 * dashboard, from which installation, and on what (resource, project, invoice) when it applies.
 */
export interface IdTokenClaims extends UserTokenClaims {
  /** The partner's resource id (Vercel's `externalResourceId`). */
  readonly resourceId?: string;
  readonly projectId?: string;
  readonly invoiceId?: string;
  readonly nonce?: string;
}

export interface Signer {
  /** Loads the newest key, creating the first one if the store has none. Idempotent. */
  ensureKey(): Promise<void>;
  /** The public keys, for `/.well-known/jwks` and `/.well-known/jwks.json`. */
  jwks(): Promise<{ keys: JWK[] }>;
  signUserToken(claims: UserTokenClaims): Promise<string>;
  signSystemToken(claims: SystemTokenClaims): Promise<string>;
  /** An SSO id_token: signed afresh each time (never cached), `type: "id_token"`, same key and issuer. */
  signIdToken(claims: IdTokenClaims): Promise<string>;
  /** How many tokens were signed and how many were served from the cache (for metrics). */
  stats(): { signed: number; cacheHits: number };
}

export interface SignerOptions {
  readonly store: SigningKeyStore;
  readonly secretBox: SecretBox;
  /** The `iss` claim: Stockroom's public URL, known only once the server listens. */
  readonly issuer: () => string;
  /** Clock in epoch milliseconds; defaults to `Date.now`. */
  readonly now?: () => number;
}

/** Token lifetime: short, because a partner cannot revoke it (partner-api.md §2.8, "short exp"). */
const TOKEN_TTL_S = 5 * 60;
/** A cached token is not handed out in its last minute, so it survives clock skew and a slow call. */
const REUSE_MARGIN_S = 60;
/** Bounds memory: one entry per (issuer, audience, claims) seen in the last few minutes. */
const MAX_CACHED_TOKENS = 1000;

interface ActiveKey {
  readonly kid: string;
  readonly privateKey: CryptoKey;
}

interface CachedToken {
  readonly token: Promise<string>;
  /** Epoch seconds after which the token is signed again. */
  readonly reuseUntil: number;
}

export function createSigner(options: SignerOptions): Signer {
  const { store, secretBox, issuer } = options;
  const now = options.now ?? Date.now;
  const tokens = new Map<string, CachedToken>();
  const counters = { signed: 0, cacheHits: 0 };
  let active: Promise<ActiveKey> | undefined;

  async function loadOrCreateKey(): Promise<ActiveKey> {
    const existing = (await store.listKeys())[0];
    if (existing) return importStoredKey(existing, secretBox);
    const created = await generateStoredKey(secretBox, now());
    if (await store.insertKey(created.stored)) return created.active;
    // Another replica created the first key between our read and our insert: use theirs, so every
    // replica signs with the same key.
    const winner = (await store.listKeys())[0];
    if (!winner) throw new Error('signing key insert was refused but no key is stored');
    return importStoredKey(winner, secretBox);
  }

  function activeKey(): Promise<ActiveKey> {
    active ??= loadOrCreateKey().catch((error: unknown) => {
      active = undefined; // a failed start (database down) must not stick
      throw error;
    });
    return active;
  }

  async function sign(iss: string, audience: string, subject: string, claims: Record<string, unknown>, nowS: number): Promise<string> {
    const key = await activeKey();
    counters.signed += 1;
    return new SignJWT(claims)
      .setProtectedHeader({ alg: 'RS256', kid: key.kid, typ: 'JWT' })
      .setIssuer(iss)
      .setAudience(audience)
      .setSubject(subject)
      .setIssuedAt(nowS)
      .setExpirationTime(nowS + TOKEN_TTL_S)
      .sign(key.privateKey);
  }

  function signCached(audience: string, subject: string, claims: Record<string, unknown>): Promise<string> {
    const iss = issuer();
    const cacheKey = JSON.stringify([iss, audience, subject, claims]);
    const nowS = Math.floor(now() / 1000);
    const cached = tokens.get(cacheKey);
    if (cached && nowS < cached.reuseUntil) {
      counters.cacheHits += 1;
      return cached.token;
    }
    const token = sign(iss, audience, subject, claims, nowS);
    // The promise is cached, so concurrent calls with the same claims sign once; a failure is not.
    token.catch(() => {
      if (tokens.get(cacheKey)?.token === token) tokens.delete(cacheKey);
    });
    remember(tokens, cacheKey, { token, reuseUntil: nowS + TOKEN_TTL_S - REUSE_MARGIN_S }, nowS);
    return token;
  }

  return {
    async ensureKey() {
      await activeKey();
    },
    async jwks() {
      // Creating the key first means the JWKS is never empty while a token could be signed.
      await activeKey();
      const keys = await store.listKeys();
      return { keys: keys.map((k) => JSON.parse(k.publicJwk) as JWK) };
    },
    signUserToken(c) {
      return signCached(c.audience, userSubject(c), userClaims(c, 'access_token'));
    },
    signIdToken(c) {
      const claims = userClaims(c, 'id_token');
      if (c.resourceId !== undefined) claims.resource_id = c.resourceId;
      if (c.projectId !== undefined) claims.project_id = c.projectId;
      if (c.invoiceId !== undefined) claims.invoice_id = c.invoiceId;
      if (c.nonce !== undefined) claims.nonce = c.nonce;
      return sign(issuer(), c.audience, userSubject(c), claims, Math.floor(now() / 1000));
    },
    signSystemToken(c) {
      return signCached(c.audience, systemSubject(c), systemClaims(c));
    },
    stats: () => ({ ...counters }),
  };
}

/** `sub` of a user-auth token: `account:<hex>:user:<hex>`. */
export function userSubject(c: Pick<UserTokenClaims, 'accountId' | 'userId'>): string {
  return `account:${hexId(c.accountId)}:user:${hexId(c.userId)}`;
}

/** `sub` of a system-auth token: `account:<hex>`. */
export function systemSubject(c: Pick<SystemTokenClaims, 'accountId'>): string {
  return `account:${hexId(c.accountId)}`;
}

/** The system-auth claim set of partner-api.md §1.3 besides iss/aud/sub/iat/exp (no user, no role). */
export function systemClaims(c: SystemTokenClaims): Record<string, unknown> {
  return { type: 'access_token', account_id: c.accountId, installation_id: c.installationId };
}

/**
 * The user-auth claim set of partner-api.md §1.3 besides iss/aud/sub/iat/exp. Shared with the
 * partner checker (src/check-partner/), so that it signs exactly what Stockroom signs.
 */
export function userClaims(c: UserTokenClaims, type: 'access_token' | 'id_token'): Record<string, unknown> {
  const claims: Record<string, unknown> = {
    type,
    account_id: c.accountId,
    installation_id: c.installationId,
    user_id: c.userId,
    user_role: c.userRole,
  };
  if (c.userEmail !== undefined) claims.user_email = c.userEmail;
  if (c.userName !== undefined) claims.user_name = c.userName;
  return claims;
}

/**
 * partner-api.md §1.3 requires `sub` to be `account:<hex>:user:<hex>`, but our ids are base62
 * (`team_AbC…`). A truncated SHA-256 is stable across replicas and restarts; the real ids travel in
 * `account_id` and `user_id`.
 */
export function hexId(id: string): string {
  return createHash('sha256').update(id, 'utf8').digest('hex').slice(0, 24);
}

async function generateStoredKey(secretBox: SecretBox, nowMs: number): Promise<{ stored: StoredSigningKey; active: ActiveKey }> {
  // The kid is the first key's generation and creation day, not random, so that replicas racing to
  // create it compute the same kid and the store's unique constraint lets only one win. The day
  // keeps a kid from an earlier, wiped database from matching a key a partner still has cached.
  const kid = `sr1-${new Date(nowMs).toISOString().slice(0, 10).replace(/-/g, '')}`;
  const { publicKey, privateKey } = await generateKeyPair('RS256', { extractable: true });
  const publicJwk: JWK = { ...(await exportJWK(publicKey)), kid, alg: 'RS256', use: 'sig' };
  const privateJwk: JWK = { ...(await exportJWK(privateKey)), kid, alg: 'RS256' };
  return {
    stored: { kid, publicJwk: JSON.stringify(publicJwk), privateJwkSealed: secretBox.seal(JSON.stringify(privateJwk), signingKeyContext(kid)), createdAt: nowMs },
    active: { kid, privateKey },
  };
}

async function importStoredKey(stored: StoredSigningKey, secretBox: SecretBox): Promise<ActiveKey> {
  const jwk = JSON.parse(secretBox.open(stored.privateJwkSealed, signingKeyContext(stored.kid))) as JWK;
  const privateKey = await importJWK(jwk, 'RS256');
  if (privateKey instanceof Uint8Array) throw new Error(`signing key ${stored.kid} is not an RSA private key`);
  return { kid: stored.kid, privateKey };
}

/** Adds a token to the cache, first dropping expired entries and then the oldest when full. */
function remember(tokens: Map<string, CachedToken>, key: string, entry: CachedToken, nowS: number): void {
  tokens.delete(key); // re-inserting moves the key to the end of the Map's insertion order
  if (tokens.size >= MAX_CACHED_TOKENS) {
    for (const [k, v] of tokens) if (v.reuseUntil <= nowS) tokens.delete(k);
  }
  while (tokens.size >= MAX_CACHED_TOKENS) {
    const oldest = tokens.keys().next().value;
    if (oldest === undefined) break;
    tokens.delete(oldest);
  }
  tokens.set(key, entry);
}

/** What a sealed private key is bound to (the secret box's additional data): its row. */
function signingKeyContext(kid: string): string {
  return `signing_keys.private_jwk_sealed:${kid}`;
}
