import type { RateLimitCounters } from './counters.js';
import type { FixedWindow } from './rules.js';

/**
 * Counters in this process's memory: right for SQLite, which one process serves. A key keeps only
 * its current window, so memory grows with the number of active tokens, not with time.
 */
export function createMemoryCounters(): RateLimitCounters {
  const windows = new Map<string, { start: number; count: number }>();
  return {
    async increment(key: string, window: FixedWindow): Promise<number> {
      const current = windows.get(key);
      if (current && current.start === window.start) return ++current.count;
      windows.set(key, { start: window.start, count: 1 });
      return 1;
    },
    async sweep(before: number): Promise<void> {
      for (const [key, w] of windows) if (w.start < before) windows.delete(key);
    },
    async close(): Promise<void> {
      windows.clear();
    },
  };
}
