import type { AccessToken, User } from '../domain/accounts.js';

/**
 * Who a token belongs to, remembered for a few seconds by the token's SHA-256 hash (never the
 * token itself). Every authenticated request looked the token and its user up in the database;
 * with this cache a client making many requests pays that once per `ttlMs`.
 *
 * What the cache may hide, and for how long: a token revoked by another replica, or a user
 * changed there, is seen at most `ttlMs` later (revoking through this process forgets the entry
 * at once). Expiry is checked on every request against the cached `expiresAt`, so an expired token
 * is refused on time. Team, role and billing state are not cached: they are read per request.
 */
export interface TokenCache {
  get(tokenHash: string): CachedIdentity | undefined;
  set(tokenHash: string, identity: CachedIdentity): void;
  /** Forgets every entry (after a revocation). */
  clear(): void;
}

export interface CachedIdentity {
  readonly token: AccessToken;
  readonly user: User;
}

export interface TokenCacheOptions {
  /** How long an entry is used, in milliseconds; default 2000. */
  readonly ttlMs?: number;
  /** Entries kept at most, so memory stays bounded whatever the number of tokens; default 10,000. */
  readonly maxEntries?: number;
  /** Clock in epoch milliseconds. */
  readonly now: () => number;
}

export function createTokenCache(options: TokenCacheOptions): TokenCache {
  const ttlMs = options.ttlMs ?? 2000;
  const maxEntries = options.maxEntries ?? 10_000;
  const entries = new Map<string, { readonly identity: CachedIdentity; readonly until: number }>();
  return {
    get(tokenHash) {
      const entry = entries.get(tokenHash);
      if (!entry) return undefined;
      if (options.now() < entry.until) return entry.identity;
      entries.delete(tokenHash);
      return undefined;
    },
    set(tokenHash, identity) {
      entries.delete(tokenHash);
      if (entries.size >= maxEntries) {
        // Maps iterate in insertion order: the first key is the oldest entry.
        const oldest = entries.keys().next().value;
        if (oldest !== undefined) entries.delete(oldest);
      }
      entries.set(tokenHash, { identity, until: options.now() + ttlMs });
    },
    clear() {
      entries.clear();
    },
  };
}
