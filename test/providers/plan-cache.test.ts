import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createPlanCache } from '../../src/providers/plan-cache.js';

describe('plan list cache', () => {
  it('reuses an answer until its time is up, then asks again', async () => {
    let now = 0;
    let asked = 0;
    const cache = createPlanCache<number>(2000, () => now);
    const load = async () => (asked += 1);
    assert.equal(await cache.get('k', 'icfg_1', load), 1);
    now = 1999;
    assert.equal(await cache.get('k', 'icfg_1', load), 1);
    now = 2000;
    assert.equal(await cache.get('k', 'icfg_1', load), 2);
  });

  it('forgets the answers of an installation that changed, and only those', async () => {
    let asked = 0;
    const cache = createPlanCache<number>(60_000);
    const load = async () => (asked += 1);
    await cache.get('a', 'icfg_1', load);
    await cache.get('b', 'icfg_2', load);
    cache.forget('icfg_1');
    assert.equal(await cache.get('a', 'icfg_1', load), 3);
    assert.equal(await cache.get('b', 'icfg_2', load), 2);
  });

  it('lets concurrent askers share one request and never keeps a failure', async () => {
    let asked = 0;
    const cache = createPlanCache<number>(60_000);
    const failing = async (): Promise<number> => {
      asked += 1;
      throw new Error('provider down');
    };
    const both = await Promise.allSettled([cache.get('k', 's', failing), cache.get('k', 's', failing)]);
    assert.deepEqual(both.map((r) => r.status), ['rejected', 'rejected']);
    assert.equal(asked, 1);
    assert.equal(await cache.get('k', 's', async () => 42), 42);
  });

  it('asks every time when its time is zero', async () => {
    let asked = 0;
    const cache = createPlanCache<number>(0);
    await cache.get('k', 's', async () => (asked += 1));
    await cache.get('k', 's', async () => (asked += 1));
    assert.equal(asked, 2);
  });
});
