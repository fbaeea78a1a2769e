/**
 * Provider plan lists, kept for a few seconds. Every create and every plans request asked the
 * provider for the product's plans over HTTP; plans change when the provider changes its offer or
 * when an installation's resources change (a free tier that fills up), so:
 *
 * - an answer is reused for at most `ttlMs` (another replica's change, or the provider's own, shows
 *   within that time);
 * - any call that changes an installation (provision, delete, uninstall…) forgets that
 *   installation's answers at once, so this process never offers a plan its own last change withdrew;
 * - concurrent askers share one request, and failures are never kept.
 */
export interface PlanCache<T> {
  /** The cached answer for `key`, or `load()`'s, remembered under `scope` (an installation). */
  get(key: string, scope: string, load: () => Promise<T>): Promise<T>;
  /** Forgets every answer of `scope`. */
  forget(scope: string): void;
}

/** Answers kept at most; plans are few (products × installations), this only bounds a leak. */
const MAX_ENTRIES = 1000;

export function createPlanCache<T>(ttlMs: number, now: () => number = Date.now): PlanCache<T> {
  const entries = new Map<string, { readonly answer: Promise<T>; readonly scope: string; readonly until: number }>();
  return {
    get(key, scope, load) {
      if (ttlMs <= 0) return load();
      const cached = entries.get(key);
      if (cached && now() < cached.until) return cached.answer;
      const answer = load();
      if (entries.size >= MAX_ENTRIES) entries.delete(entries.keys().next().value as string);
      const entry = { answer, scope, until: now() + ttlMs };
      entries.set(key, entry);
      answer.catch(() => {
        if (entries.get(key) === entry) entries.delete(key);
      });
      return answer;
    },
    forget(scope) {
      for (const [key, entry] of entries) if (entry.scope === scope) entries.delete(key);
    },
  };
}
