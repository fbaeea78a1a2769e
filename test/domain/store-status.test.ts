import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  EXTERNAL_RESOURCE_STATUSES,
  isExternalResourceStatus,
  mapResourceStatus,
  STORE_STATUSES,
  toExternalResourceStatus,
} from '../../src/domain/store-status.js';

describe('mapResourceStatus', () => {
  const cases: Array<[string, string]> = [
    ['ready', 'available'],
    ['resumed', 'available'],
    ['pending', 'initializing'],
    ['onboarding', 'onboarding'],
    ['suspended', 'suspended'],
    ['error', 'error'],
    ['uninstalled', 'uninstalled'],
  ];
  for (const [provider, store] of cases) {
    test(`maps the provider's "${provider}" to "${store}"`, () => {
      assert.equal(mapResourceStatus(provider), store);
    });
  }

  test('covers every provider status with a valid store status', () => {
    for (const status of EXTERNAL_RESOURCE_STATUSES) {
      assert.ok((STORE_STATUSES as readonly string[]).includes(mapResourceStatus(status)));
    }
  });

  const unknown: unknown[] = ['available', 'READY', 'deleted', '', null, undefined, 1, {}, 'toString', '__proto__'];
  for (const value of unknown) {
    test(`treats the unknown provider value ${JSON.stringify(value) ?? 'undefined'} as error`, () => {
      assert.equal(mapResourceStatus(value), 'error');
    });
  }
});

describe('toExternalResourceStatus', () => {
  test('echoes a known provider status', () => {
    for (const status of EXTERNAL_RESOURCE_STATUSES) assert.equal(toExternalResourceStatus(status), status);
  });

  test('answers null for a value the SDK would reject', () => {
    assert.equal(toExternalResourceStatus('deleted'), null);
    assert.equal(toExternalResourceStatus(undefined), null);
    assert.equal(isExternalResourceStatus('available'), false);
  });
});
