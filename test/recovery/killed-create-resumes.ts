import assert from 'node:assert/strict';
import { describe, test, type TestContext } from 'node:test';
import type { PausePoint } from '../../src/fault-injection.js';
import { createTestDatabase, dialectsToTest, type TestDialect } from '../helpers/databases.js';
import { assertFinished, killAtAndRestart, PLANS, type PlanKind } from './kill-harness.js';

/**
 * The outcome shared by every kill point a create is resumed from: on a database of its own, a
 * Stockroom killed at `point` while creating a free, a paid and a prepaid store is restarted, and
 * recovery resumes each store and finishes it (live, its secrets, its ledger: `assertFinished`).
 */
export async function assertKilledCreatesResume(t: TestContext, dialect: TestDialect, point: PausePoint): Promise<void> {
  const database = await createTestDatabase(dialect);
  t.after(() => database.drop());
  const { db, secretBox, names, ids, outcomes } = await killAtAndRestart(t, database, point);
  for (const kind of Object.keys(PLANS) as PlanKind[]) {
    assert.equal(outcomes.get(ids[kind]), 'resumed', `recovery resumed ${names[kind]}`);
    await assertFinished(db, secretBox, names[kind], kind);
  }
}

/**
 * One test per kill point and dialect, each asserting `assertKilledCreatesResume`: the table the
 * kill-point files share. `what` names the suite, `outcome` says what the restart does.
 */
export function testKilledCreatesResume(what: string, points: readonly PausePoint[], outcome: string): void {
  for (const dialect of dialectsToTest()) {
    // Each case runs its own processes on its own database; running them side by side halves the wait.
    describe(`${what} (${dialect})`, { concurrency: true }, () => {
      for (const point of points) test(`killed at ${point}: ${outcome}`, (t) => assertKilledCreatesResume(t, dialect, point));
    });
  }
}
