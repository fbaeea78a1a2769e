import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import { fixedWindow, groupOf, rateLimitState } from '../../src/rate-limits/rules.js';
import { createMemoryCounters } from '../../src/rate-limits/memory-counters.js';

describe('fixedWindow', () => {
  test('aligns windows to multiples of their length', () => {
    assert.deepEqual(fixedWindow(125_000, 60_000), { start: 120_000, resetMs: 180_000 });
    assert.deepEqual(fixedWindow(120_000, 60_000), { start: 120_000, resetMs: 180_000 });
    assert.deepEqual(fixedWindow(179_999, 60_000), { start: 120_000, resetMs: 180_000 });
  });

  test('every instant lies in its window', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 2 ** 45 }), fc.integer({ min: 1000, max: 86_400_000 }), (now, length) => {
        const w = fixedWindow(now, length);
        assert.ok(w.start <= now && now < w.resetMs && w.resetMs - w.start === length);
      }),
      { seed: 7, numRuns: 500 },
    );
  });
});

describe('groupOf', () => {
  test('a POST to either create route is create-store; other writes are write, the rest read', () => {
    const autoProvision = '/v1/integrations/integration/:integrationIdOrSlug/marketplace/auto-provision/:productIdOrSlug';
    assert.equal(groupOf('POST', '/v1/storage/stores/integration/direct', true), 'create-store');
    assert.equal(groupOf('POST', autoProvision, true), 'create-store');
    assert.equal(groupOf('POST', '/v11/projects', true), 'write');
    assert.equal(groupOf('DELETE', '/v1/storage/stores/:storeId', true), 'write');
    assert.equal(groupOf('GET', autoProvision, false), 'read');
    assert.equal(groupOf('GET', undefined, false), 'read');
  });
});

describe('rateLimitState', () => {
  const window = { start: 60_000, resetMs: 120_000 };

  test('counts down to 0 and is limited only past the limit', () => {
    assert.deepEqual(
      [1, 2, 3, 4].map((count) => [rateLimitState(3, count, window, 61_000).remaining, rateLimitState(3, count, window, 61_000).limited]),
      [[2, false], [1, false], [0, false], [0, true]],
    );
  });

  test('gives the reset in epoch seconds and ms, and Retry-After in whole seconds', () => {
    const state = rateLimitState(3, 4, { start: 60_000, resetMs: 120_500 }, 100_000);
    assert.equal(state.reset, 121);
    assert.equal(state.resetMs, 120_500);
    assert.equal(state.total, 3);
    assert.equal(state.retryAfterSeconds, 21);
  });

  test('Retry-After is at least one second', () => {
    assert.equal(rateLimitState(1, 2, window, 119_999).retryAfterSeconds, 1);
  });
});

describe('memory counters', () => {
  test('count per key and window, starting again in a new window', async () => {
    const counters = createMemoryCounters();
    const first = fixedWindow(0, 1000);
    const next = fixedWindow(1000, 1000);
    assert.deepEqual([await counters.increment('a', first, 1000), await counters.increment('a', first, 1000), await counters.increment('b', first, 1000)], [1, 2, 1]);
    assert.equal(await counters.increment('a', next, 1000), 1);
  });

  test('a sweep forgets ended windows', async () => {
    const counters = createMemoryCounters();
    await counters.increment('a', fixedWindow(0, 1000), 1000);
    await counters.sweep(1000);
    assert.equal(await counters.increment('a', fixedWindow(0, 1000), 1000), 1);
  });
});
