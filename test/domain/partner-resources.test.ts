import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { importedStorePlan, resourceStatusOf, toNotification } from '../../src/domain/partner-resources.js';
import { STORE_STATUSES } from '../../src/domain/store-status.js';

describe('partner resource rules', () => {
  test('a notification: an object is kept field for field, a string is an info, null clears, undefined keeps', () => {
    assert.deepEqual(toNotification({ level: 'warn', title: 'T', message: 'M', href: 'https://x.test' }), { level: 'warn', title: 'T', message: 'M', href: 'https://x.test' });
    assert.deepEqual(toNotification({ level: 'error', title: 'T' }), { level: 'error', title: 'T' });
    assert.deepEqual(toNotification('Heads up'), { level: 'info', title: 'Heads up' });
    assert.equal(toNotification(null), null);
    assert.equal(toNotification(undefined), undefined);
  });

  test('an imported store’s plan: the given one with defaults, else the installation’s, else “billed by the provider”', () => {
    const given = importedStorePlan({ id: 'p', type: 'prepayment', name: 'P', extra: 1 }, { id: 'i', type: 'subscription', name: 'I' });
    assert.deepEqual(given, { id: 'p', type: 'prepayment', name: 'P', extra: 1, description: '', scope: 'resource', paymentMethodRequired: true });
    assert.equal(importedStorePlan(undefined, { id: 'i', type: 'subscription', name: 'I', paymentMethodRequired: false }).id, 'i');
    const none = importedStorePlan(undefined, null);
    assert.equal(none.id, 'imported');
    assert.equal(none.paymentMethodRequired, false, 'nothing is charged for it');
  });

  test('a store’s status in the partner’s terms: its own word first, else Stockroom’s mapped back', () => {
    assert.equal(resourceStatusOf({ status: 'error', externalResourceStatus: 'pending' }), 'pending');
    assert.equal(resourceStatusOf({ status: 'available', externalResourceStatus: null }), 'ready');
    assert.equal(resourceStatusOf({ status: 'initializing', externalResourceStatus: 'bogus' }), 'pending');
    assert.equal(resourceStatusOf({ status: null, externalResourceStatus: null }), undefined);
    for (const status of STORE_STATUSES) assert.ok(resourceStatusOf({ status, externalResourceStatus: null }), `${status} maps to a resource status`);
  });
});
