import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { PartnerApi } from '../../src/providers/partner-kit/partner-api.js';
import { assertPlansReadable } from '../../src/providers/partner-kit/partner-server.js';

/** A kit partner that changes installation plans must report them to Get Installation (the read-back after a lost answer). */

const base = {} as PartnerApi;
const updateInstallation = (async () => ({})) as unknown as PartnerApi['updateInstallation'];

test('a partner that changes plans but cannot report them is refused at startup', () => {
  assert.throws(() => assertPlansReadable({ ...base, updateInstallation }), /installationPlan/);
});

test('a partner that changes and reports plans, or does neither, starts', () => {
  assert.doesNotThrow(() => assertPlansReadable({ ...base, updateInstallation, installationPlan: async () => null }));
  assert.doesNotThrow(() => assertPlansReadable(base));
});
