import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import type { BatchableCounters } from '../../src/rate-limits/counters.js';
import type { FixedWindow } from '../../src/rate-limits/rules.js';
import { createCoalescingCounters } from '../../src/rate-limits/coalescing-counters.js';

const WINDOW: FixedWindow = { start: 60_000, resetMs: 120_000 };

/** A shared counter whose updates the test completes by hand, recording each `by`. */
function manualShared() {
  const totals = new Map<string, number>();
  const calls: Array<{ key: string; by: number; finish(error?: Error): void }> = [];
  const shared: BatchableCounters = {
    incrementBy(key, window, by) {
      return new Promise<number>((resolve, reject) => {
        calls.push({
          key,
          by,
          finish(error) {
            if (error) return reject(error);
            const id = `${key}@${window.start}`;
            const total = (totals.get(id) ?? 0) + by;
            totals.set(id, total);
            resolve(total);
          },
        });
      });
    },
    sweep: async () => {},
    close: async () => {},
  };
  return { shared, calls };
}

const turn = () => new Promise((resolve) => setImmediate(resolve));

describe('coalescing rate-limit counters', () => {
  test('requests of one turn share one update, and requests during it the next one; each gets its own count', async () => {
    const { shared, calls } = manualShared();
    const counters = createCoalescingCounters(shared);
    const first = [1, 2, 3, 4, 5].map(() => counters.increment('tok:read', WINDOW, 60_000));
    await turn();
    assert.deepEqual(calls.map((c) => c.by), [5]);
    const during = [1, 2, 3].map(() => counters.increment('tok:read', WINDOW, 60_000));
    await turn();
    assert.equal(calls.length, 1, 'a second update was sent while the first was in flight');
    calls[0]?.finish();
    assert.deepEqual(await Promise.all(first), [1, 2, 3, 4, 5]);
    await turn();
    assert.deepEqual(calls.map((c) => c.by), [5, 3]);
    calls[1]?.finish();
    assert.deepEqual(await Promise.all(during), [6, 7, 8]);
  });

  test('keys and windows are counted apart', async () => {
    const { shared, calls } = manualShared();
    const counters = createCoalescingCounters(shared);
    const a = counters.increment('a:read', WINDOW, 60_000);
    const b = counters.increment('b:read', WINDOW, 60_000);
    const later = counters.increment('a:read', { start: 120_000, resetMs: 180_000 }, 60_000);
    await turn();
    assert.equal(calls.length, 3);
    for (const c of calls) c.finish();
    assert.deepEqual(await Promise.all([a, b, later]), [1, 1, 1]);
  });

  test('a failed update fails its requests only; the next batch is sent', async () => {
    const { shared, calls } = manualShared();
    const counters = createCoalescingCounters(shared);
    const lost = counters.increment('tok:read', WINDOW, 60_000);
    await turn();
    const next = counters.increment('tok:read', WINDOW, 60_000);
    calls[0]?.finish(new Error('connection lost'));
    await assert.rejects(lost, /connection lost/);
    await turn();
    calls[1]?.finish();
    assert.equal(await next, 1);
  });

  test('whatever the arrivals, N requests get exactly the counts 1..N (property)', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(fc.integer({ min: 0, max: 4 }), { minLength: 1, maxLength: 40 }), async (gaps) => {
        const { shared, calls } = manualShared();
        const counters = createCoalescingCounters(shared);
        const results: Array<Promise<number>> = [];
        let finished = 0;
        for (const gap of gaps) {
          results.push(counters.increment('tok:read', WINDOW, 60_000));
          for (let i = 0; i < gap; i += 1) {
            await turn();
            // Finish the updates sent so far, one per gap step.
            if (finished < calls.length) calls[finished++]?.finish();
          }
        }
        while (finished < calls.length || results.length > calls.reduce((n, c) => n + c.by, 0)) {
          await turn();
          if (finished < calls.length) calls[finished++]?.finish();
        }
        const counts = (await Promise.all(results)).sort((x, y) => x - y);
        assert.deepEqual(counts, results.map((_, i) => i + 1));
      }),
      { numRuns: 100 },
    );
  });
});
