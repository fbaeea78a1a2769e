import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { describe, test } from 'node:test';
import { afterFailedAttempt, canRedeliver, DEFAULT_RETRY_SCHEDULE, LAST_RESPONSE_MAX_CHARS, truncateAnswer } from '../../src/domain/webhook-events.js';
import { webhookBody, webhookSignature } from '../../src/providers/webhook-signature.js';

describe('webhook rules (docs/webhooks.md)', () => {
  test('retries wait 10 s doubling to 1 h, and the 12th failed attempt gives up', () => {
    const waits = Array.from({ length: 11 }, (_, i) => afterFailedAttempt(i + 1, DEFAULT_RETRY_SCHEDULE));
    assert.deepEqual(
      waits.map((w) => (w === 'give-up' ? w : w.retryInMs / 1000)),
      [10, 20, 40, 80, 160, 320, 640, 1280, 2560, 3600, 3600],
    );
    assert.equal(afterFailedAttempt(12, DEFAULT_RETRY_SCHEDULE), 'give-up');
    assert.equal(afterFailedAttempt(1, { baseMs: 5, maxMs: 5, maxAttempts: 1 }), 'give-up', 'one attempt only: the first failure gives up');
  });

  test('a redeliver restarts an ended event, never a pending one', () => {
    assert.deepEqual(['pending', 'delivered', 'failed', 'undeliverable'].map(canRedeliver), [false, true, true, true]);
  });

  test('the log keeps the start of a long answer, marked', () => {
    assert.equal(truncateAnswer('ok'), 'ok');
    const long = truncateAnswer('x'.repeat(5000));
    assert.ok(long.startsWith('x'.repeat(LAST_RESPONSE_MAX_CHARS)));
    assert.ok(long.endsWith('… (5000 characters)'));
  });

  test('the body is {id, type, createdAt, payload} with the stored payload as is, and the signature is hex HMAC-SHA1 of it', () => {
    const body = webhookBody({ id: 'evt_1', type: 'integration-configuration.removed', createdAt: 1700000000000, payloadJson: '{"configuration":{"id":"icfg_1"}}' });
    assert.equal(body, '{"id":"evt_1","type":"integration-configuration.removed","createdAt":1700000000000,"payload":{"configuration":{"id":"icfg_1"}}}');
    assert.deepEqual(Object.keys(JSON.parse(body)), ['id', 'type', 'createdAt', 'payload']);
    assert.equal(webhookSignature(body, 'secret-0123456789'), createHmac('sha1', 'secret-0123456789').update(body).digest('hex'));
    assert.match(webhookSignature(body, 'secret-0123456789'), /^[0-9a-f]{40}$/);
  });
});
