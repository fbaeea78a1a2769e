import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { dialectsToTest, newInstallationId, usePartner, type PartnerHarness } from './harness.js';
import { countResources } from './stored-resources.js';

for (const dialect of dialectsToTest()) {
  describe(`reference partner Idempotency-Key (${dialect})`, () => {
    let p: PartnerHarness;
    usePartner(dialect, (started) => (p = started));

    const body = { productId: 'acme-db', name: 'once', metadata: { region: 'iad1' }, billingPlanId: 'pro' };

    test('the same key on the same installation replays the first answer and creates nothing more', async () => {
      const id = await p.install();
      const first = await p.provision(id, body, { 'idempotency-key': 'k-1' });
      assert.equal(first.status, 200);
      assert.equal(first.headers.get('idempotent-replayed'), null);
      const second = await p.provision(id, body, { 'idempotency-key': 'k-1' });
      assert.equal(second.status, 200);
      assert.equal(second.headers.get('idempotent-replayed'), 'true');
      assert.deepEqual(second.body, first.body);
      assert.equal(await countResources(p.db, id), 1);
    });

    test('a replay does not depend on key order in the body', async () => {
      const id = await p.install();
      const first = await p.provision(id, body, { 'idempotency-key': 'k-order' });
      const reordered = { billingPlanId: 'pro', metadata: { region: 'iad1' }, name: 'once', productId: 'acme-db' };
      const second = await p.request('POST', `/v1/installations/${id}/resources`, { body: reordered, headers: { 'idempotency-key': 'k-order' } });
      assert.equal(second.body.id, first.body.id);
      assert.equal(await countResources(p.db, id), 1);
    });

    test('the same key on another installation is another request', async () => {
      const a = await p.install();
      const b = await p.install();
      const first = await p.provision(a, body, { 'idempotency-key': 'shared' });
      const second = await p.provision(b, body, { 'idempotency-key': 'shared' });
      assert.notEqual(first.body.id, second.body.id);
      assert.equal(second.headers.get('idempotent-replayed'), null);
    });

    test('the same key with a different body is refused with 422', async () => {
      const id = await p.install();
      await p.provision(id, body, { 'idempotency-key': 'k-2' });
      const answer = await p.provision(id, { ...body, name: 'other' }, { 'idempotency-key': 'k-2' });
      assert.equal(answer.status, 422);
      assert.equal(answer.body.error.code, 'idempotency_key_reused');
      assert.equal(await countResources(p.db, id), 1);
    });

    test('concurrent requests with one key create one resource and all answer it', async () => {
      const id = await p.install();
      const answers = await Promise.all(Array.from({ length: 5 }, () => p.provision(id, body, { 'idempotency-key': 'k-race' })));
      for (const answer of answers) assert.equal(answer.status, 200);
      assert.equal(new Set(answers.map((a) => a.body.id)).size, 1);
      assert.equal(await countResources(p.db, id), 1);
    });

    test('a refused request does not use up its key', async () => {
      const id = newInstallationId();
      const refused = await p.provision(id, body, { 'idempotency-key': 'k-retry' });
      assert.equal(refused.status, 404);
      await p.install(id);
      const retried = await p.provision(id, body, { 'idempotency-key': 'k-retry' });
      assert.equal(retried.status, 200);
      assert.equal(retried.headers.get('idempotent-replayed'), null);
      assert.equal(await countResources(p.db, id), 1);
    });

    test('fail-malformed replays its malformed answer', async () => {
      const id = await p.install();
      const malformed = { ...body, name: 'fail-malformed' };
      await p.provision(id, malformed, { 'idempotency-key': 'k-bad' });
      const again = await p.provision(id, malformed, { 'idempotency-key': 'k-bad' });
      assert.deepEqual(again.body, { ok: true });
      assert.equal(again.headers.get('idempotent-replayed'), 'true');
      assert.equal(await countResources(p.db, id), 1);
    });

    test('an answer is kept 24 hours', async () => {
      const id = await p.install();
      const first = await p.provision(id, body, { 'idempotency-key': 'k-day' });
      p.clock.advance(23 * 3_600_000);
      assert.equal((await p.provision(id, body, { 'idempotency-key': 'k-day' })).body.id, first.body.id);
      p.clock.advance(2 * 3_600_000);
      const later = await p.provision(id, body, { 'idempotency-key': 'k-day' });
      assert.equal(later.status, 200);
      assert.notEqual(later.body.id, first.body.id);
    });

    test('a key used again just after it expired makes a new resource, even when expired keys were swept moments before', async () => {
      const id = await p.install();
      const first = await p.provision(id, body, { 'idempotency-key': 'k-expiring' });
      // Another key's request a little before the first expires: the installation's old keys are
      // swept then, and the first is not old enough yet.
      p.clock.advance(24 * 3_600_000 - 10_000);
      assert.equal((await p.provision(id, { ...body, name: 'other' }, { 'idempotency-key': 'k-other' })).status, 200);
      p.clock.advance(20_000);
      const later = await p.provision(id, body, { 'idempotency-key': 'k-expiring' });
      assert.equal(later.status, 200);
      assert.equal(later.headers.get('idempotent-replayed'), null);
      assert.notEqual(later.body.id, first.body.id);
      assert.equal(await countResources(p.db, id), 3);
      const again = await p.provision(id, body, { 'idempotency-key': 'k-expiring' });
      assert.equal(again.headers.get('idempotent-replayed'), 'true');
      assert.equal(again.body.id, later.body.id);
    });

    test('a key longer than 255 characters is a 400', async () => {
      const id = await p.install();
      const answer = await p.provision(id, body, { 'idempotency-key': 'k'.repeat(256) });
      assert.equal(answer.status, 400);
      assert.deepEqual(answer.body.error.fields.map((f: { key: string }) => f.key), ['Idempotency-Key']);
      assert.equal(await countResources(p.db, id), 0);
    });

    test('requests without a key are never replayed', async () => {
      const id = await p.install();
      const first = await p.provision(id, body);
      const second = await p.provision(id, body);
      assert.notEqual(first.body.id, second.body.id);
      assert.equal(await countResources(p.db, id), 2);
    });
  });
}
