import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { claimSecretPush, endSecretPush, listDueSecretPushes, markSecretsPushDue, retrySecretPush } from '../../src/providers/reference-partner/secret-push-store.js';
import { startPartner } from './harness.js';

/*
 * Asynchronous rotation across replicas: each push attempt is claimed in the database, but a slow
 * attempt of an older rotation can finish after a newer rotation's push. Its secrets may then reach
 * Vercel last; ending it must make the newest secrets due again, so that they are pushed after it.
 */
describe('reference partner: pushes of rotated secrets from several replicas', () => {
  test('an older push ending after a newer one makes the current secrets due again; a current one ends the push', async (t) => {
    const partner = await startPartner('sqlite');
    t.after(() => partner.close());
    const icfg = await partner.install();
    const created = await partner.provision(icfg);
    assert.equal(created.status, 200, JSON.stringify(created.body));
    const id = created.body.id as string;
    const row = () => partner.db.selectFrom('ref_partner_resources').select(['secrets_push_due_at', 'secrets_push_attempts', 'secrets_generation']).where('id', '=', id).executeTakeFirstOrThrow();

    // Rotation 1; replica A claims its push and is slow to send it.
    await markSecretsPushDue(partner.db, icfg, id, 1_000);
    const [dueA] = await listDueSecretPushes(partner.db, 1_000, 10);
    assert.ok(dueA && (await claimSecretPush(partner.db, dueA, 31_000)));
    // Rotation 2 while A is out; A's claim no longer matches, replica B claims and pushes.
    await markSecretsPushDue(partner.db, icfg, id, 2_000);
    assert.equal(await claimSecretPush(partner.db, dueA, 32_000), false, "rotation 1's claim is stale");
    const [dueB] = await listDueSecretPushes(partner.db, 2_000, 10);
    assert.ok(dueB && dueB.generation === dueA.generation + 1);
    assert.ok(await claimSecretPush(partner.db, dueB, 32_000));
    await endSecretPush(partner.db, { resourceId: id, generation: dueB.generation, attempt: 1 }, 3_000);
    assert.deepEqual(await row(), { secrets_push_due_at: null, secrets_push_attempts: 0, secrets_generation: dueB.generation });

    // A's older secrets arrive after B's: ending A re-arms the push of the current secrets.
    await endSecretPush(partner.db, { resourceId: id, generation: dueA.generation, attempt: 1 }, 4_000);
    assert.deepEqual(await row(), { secrets_push_due_at: 4_000, secrets_push_attempts: 0, secrets_generation: dueB.generation });
    // A stale failure does not move the newer push either.
    await retrySecretPush(partner.db, { resourceId: id, generation: dueA.generation, attempt: 1 }, 9_000);
    assert.equal((await row()).secrets_push_due_at, 4_000);
    // The re-armed push, claimed and ended under the current generation, ends the pushing.
    const [again] = await listDueSecretPushes(partner.db, 4_000, 10);
    assert.ok(again && (await claimSecretPush(partner.db, again, 34_000)));
    await endSecretPush(partner.db, { resourceId: id, generation: again.generation, attempt: 1 }, 5_000);
    assert.equal((await row()).secrets_push_due_at, null);
  });
});
