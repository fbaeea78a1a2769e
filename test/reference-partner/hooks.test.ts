import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { eventually } from '../helpers/eventually.js';
import { dialectsToTest, usePartner, type PartnerHarness } from './harness.js';
import { countResources } from './stored-resources.js';
import { HOOKS } from '../../src/providers/reference-partner/index.js';

describe('reference partner HOOKS table', () => {
  test('documents every hook with a name, a trigger and an effect', () => {
    const names = HOOKS.map((h) => h.name);
    assert.equal(new Set(names).size, names.length);
    for (const name of ['fail-validation', 'fail-conflict', 'fail-500', 'fail-malformed', 'fail-slow', 'pending', 'fail-delete', 'free-quota', 'finalize-later', 'unknown-plan']) {
      assert.ok(names.includes(name), name);
    }
    for (const hook of HOOKS) {
      assert.ok(hook.trigger.length > 0 && hook.effect.length > 0, hook.name);
    }
  });
});

for (const dialect of dialectsToTest()) {
  describe(`reference partner test hooks (${dialect})`, () => {
    let p: PartnerHarness;
    usePartner(dialect, (started) => (p = started), { partner: { slowAnswerDelayMs: 2000, pendingReadyAfterMs: 2000 } });


    /** Provisions under a hook's name and checks what every refusing hook shares: status, error code and message, nothing stored. */
    const refusedStoringNothing = async (name: string, status: number, code: string) => {
      const id = await p.install();
      const answer = await p.provision(id, { name });
      assert.equal(answer.status, status);
      assert.equal(answer.body.error.code, code);
      assert.equal(typeof answer.body.error.message, 'string');
      assert.equal(await countResources(p.db, id), 0);
      return answer.body.error;
    };

    test('fail-validation answers 400 validation_error with a region field, storing nothing', async () => {
      const error = await refusedStoringNothing('fail-validation', 400, 'validation_error');
      assert.equal(error.fields.length, 1);
      assert.equal(error.fields[0].key, 'region');
      assert.equal(typeof error.fields[0].message, 'string');
    });

    test('a name hook also matches with a suffix (fail-validation-2)', async () => {
      const id = await p.install();
      assert.equal((await p.provision(id, { name: 'fail-validation-2' })).status, 400);
      assert.equal((await p.provision(id, { name: 'fail-validationish' })).status, 200);
    });

    test('fail-conflict answers 409 conflict, storing nothing', async () => {
      await refusedStoringNothing('fail-conflict', 409, 'conflict');
    });

    test('fail-500 answers 500, storing nothing', async () => {
      await refusedStoringNothing('fail-500', 500, 'internal_server_error');
    });

    test('fail-malformed answers 200 with a body that is not a Resource, yet stores the resource', async () => {
      const id = await p.install();
      const answer = await p.provision(id, { name: 'fail-malformed' });
      assert.equal(answer.status, 200);
      assert.deepEqual(answer.body, { ok: true });
      const listed = await p.request('GET', `/v1/installations/${id}/resources`);
      assert.deepEqual(listed.body.resources.map((r: { name: string }) => r.name), ['fail-malformed']);
    });

    test('fail-slow stores the resource but answers late, so a caller with a short timeout gives up', async () => {
      const id = await p.install();
      const aborted = p.request('POST', `/v1/installations/${id}/resources`, {
        body: { productId: 'acme-db', name: 'fail-slow', metadata: { region: 'iad1' }, billingPlanId: 'pro' },
        signal: AbortSignal.timeout(100),
      });
      await assert.rejects(aborted, (error: Error) => error.name === 'TimeoutError' || error.name === 'AbortError');
      await eventually('the abandoned fail-slow provision is stored', async () => {
        const listed = await p.request('GET', `/v1/installations/${id}/resources`);
        return listed.body.resources.some((r: { name: string }) => r.name === 'fail-slow');
      }, { timeoutMs: 5000 });
    });

    test('metadata testing_delay_ms delays the answer, which is then a normal Resource', async () => {
      const id = await p.install();
      const answer = await p.provision(id, { metadata: { region: 'iad1', testing_delay_ms: 20 } });
      assert.equal(answer.status, 200);
      assert.equal(answer.body.status, 'ready');
      assert.equal(answer.body.secrets.length, 2);
    });

    test('a pending- name starts pending and reads as ready once the delay has passed', async () => {
      const id = await p.install();
      const created = await p.provision(id, { name: 'pending-orders' });
      assert.equal(created.status, 200);
      assert.equal(created.body.status, 'pending');
      assert.equal(created.body.notification.level, 'info');
      assert.ok(created.body.secrets.length > 0, 'secrets are known at once, even while pending');
      const path = `/v1/installations/${id}/resources/${created.body.id}`;
      assert.equal((await p.request('GET', path)).body.status, 'pending');
      p.clock.advance(2000);
      const ready = await p.request('GET', path);
      assert.equal(ready.body.status, 'ready');
      assert.equal(ready.body.notification, null, 'null clears the Provisioning notification');
    });

    test('metadata testing_initial_status and testing_ready_after_ms choose the status and its delay', async () => {
      const id = await p.install();
      const created = await p.provision(id, { metadata: { region: 'iad1', testing_initial_status: 'pending', testing_ready_after_ms: 10_000 } });
      assert.equal(created.body.status, 'pending');
      const path = `/v1/installations/${id}/resources/${created.body.id}`;
      p.clock.advance(5000);
      assert.equal((await p.request('GET', path)).body.status, 'pending');
      p.clock.advance(5000);
      assert.equal((await p.request('GET', path)).body.status, 'ready');
      const listed = await p.request('GET', `/v1/installations/${id}/resources`);
      assert.equal(listed.body.resources[0].status, 'ready');
    });

    test('testing_initial_status may name any resource status; only pending moves on by itself', async () => {
      const id = await p.install();
      const created = await p.provision(id, { metadata: { region: 'iad1', testing_initial_status: 'onboarding' } });
      assert.equal(created.body.status, 'onboarding');
      p.clock.advance(60_000);
      assert.equal((await p.request('GET', `/v1/installations/${id}/resources/${created.body.id}`)).body.status, 'onboarding');
    });

    test('an unknown testing_initial_status is a 400 naming it', async () => {
      const id = await p.install();
      const answer = await p.provision(id, { metadata: { region: 'iad1', testing_initial_status: 'exploded' } });
      assert.equal(answer.status, 400);
      assert.deepEqual(answer.body.error.fields.map((f: { key: string }) => f.key), ['testing_initial_status']);
    });

    test('fail-delete makes Delete Resource answer 500 and keeps the resource', async () => {
      const id = await p.install();
      const created = await p.provision(id, { name: 'fail-delete' });
      const path = `/v1/installations/${id}/resources/${created.body.id}`;
      const answer = await p.request('DELETE', path);
      assert.equal(answer.status, 500);
      assert.equal(answer.body.error.code, 'internal_server_error');
      assert.equal((await p.request('GET', path)).status, 200);
    });
  });
}
