import assert from 'node:assert/strict';
import { availableParallelism } from 'node:os';
import { describe, test } from 'node:test';
import { ConfigError, loadConfig } from '../../src/config.js';

/** `STOCKROOM_WORKERS` as the configuration reads it (docs/workers.md). */
describe('STOCKROOM_WORKERS', () => {
  const postgres = { DATABASE_URL: 'postgres://u@127.0.0.1:5432/d', STOCKROOM_ENCRYPTION_KEY: 'a-key-of-sixteen-or-more' };

  test('PostgreSQL: one worker per core by default, or the number given', () => {
    assert.equal(loadConfig(postgres).workers, availableParallelism());
    assert.equal(loadConfig({ ...postgres, STOCKROOM_WORKERS: '3' }).workers, 3);
    assert.equal(loadConfig({ ...postgres, STOCKROOM_WORKERS: '1' }).workers, 1);
  });

  test('SQLite: one, and no other number', () => {
    assert.equal(loadConfig({}).workers, 1);
    assert.equal(loadConfig({ STOCKROOM_WORKERS: '1' }).workers, 1);
    assert.throws(() => loadConfig({ STOCKROOM_WORKERS: '2' }), (e: unknown) => e instanceof ConfigError && /must be 1 with SQLite/.test(e.message));
  });

  test('not a positive integer: refused', () => {
    assert.throws(() => loadConfig({ ...postgres, STOCKROOM_WORKERS: '0' }), ConfigError);
    assert.throws(() => loadConfig({ ...postgres, STOCKROOM_WORKERS: 'many' }), ConfigError);
  });
});
