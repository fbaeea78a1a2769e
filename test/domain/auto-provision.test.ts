import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { chooseInstallation, missingPolicies, missingRequiredMetadata } from '../../src/domain/auto-provision.js';
import type { Installation } from '../../src/domain/installations.js';
import type { MetadataSchema } from '../../src/domain/metadata.js';
import { ApiError } from '../../src/errors.js';

function installation(id: string, status: Installation['status'] = 'ready'): Installation {
  return { id, teamId: 'team_a', integrationId: 'oac_a', userId: 'user_a', scopes: [], source: 'marketplace', status, createdAt: 1, updatedAt: 1, deletedAt: null };
}

const acme = { slug: 'acme' };
const withTerms = { slug: 'acme', eulaDocUri: 'https://acme.test/eula', privacyDocUri: 'https://acme.test/privacy' };
const accepted = { toc: '2026-11-26T10:00:00.000Z' };

describe('chooseInstallation', () => {
  test('uses the team\'s only ready installation', () => {
    assert.deepEqual(chooseInstallation([installation('icfg_1')], { acceptedPolicies: {} }, acme), { kind: 'use', installation: installation('icfg_1') });
  });

  test('ignores an installation still pending at its provider', () => {
    const choice = chooseInstallation([installation('icfg_1', 'pending')], { acceptedPolicies: {} }, acme);
    assert.equal(choice.kind, 'browser');
  });

  test('uses the installation named by installationId, and refuses one the team does not have with 404', () => {
    const two = [installation('icfg_1'), installation('icfg_2')];
    assert.deepEqual(chooseInstallation(two, { installationId: 'icfg_2', acceptedPolicies: {} }, acme), { kind: 'use', installation: installation('icfg_2') });
    assert.throws(
      () => chooseInstallation(two, { installationId: 'icfg_9', acceptedPolicies: {} }, acme),
      (error: unknown) => error instanceof ApiError && error.code === 'not_found' && error.extras.param === 'installationId',
    );
  });

  test('sends several installations to the browser, listing them', () => {
    const two = [installation('icfg_1'), installation('icfg_2')];
    const choice = chooseInstallation(two, { acceptedPolicies: accepted }, acme);
    assert.equal(choice.kind, 'browser');
    assert.equal(choice.kind === 'browser' && choice.reason, 'multiple_installations');
    assert.deepEqual(choice.kind === 'browser' && choice.installations?.map((i) => i.id), ['icfg_1', 'icfg_2']);
  });

  test('installs when the team has none and accepted every policy the integration has', () => {
    assert.deepEqual(chooseInstallation([], { acceptedPolicies: accepted }, acme), { kind: 'install' });
    assert.deepEqual(chooseInstallation([], { acceptedPolicies: { ...accepted, eula: accepted.toc, privacy: accepted.toc } }, withTerms), { kind: 'install' });
  });

  test('sends a team without an installation to the browser when a policy is missing', () => {
    for (const [policies, terms] of [
      [{}, acme],
      [accepted, withTerms],
      [{ toc: 'yesterday' }, acme],
    ] as const) {
      const choice = chooseInstallation([], { acceptedPolicies: policies }, terms);
      assert.equal(choice.kind === 'browser' && choice.reason, 'integration_terms_acceptance_required', JSON.stringify(policies));
    }
  });
});

describe('missingPolicies', () => {
  test('names toc always, and eula and privacy when the integration has those documents', () => {
    assert.deepEqual(missingPolicies(acme, {}), ['toc']);
    assert.deepEqual(missingPolicies(withTerms, accepted), ['eula', 'privacy']);
    assert.deepEqual(missingPolicies(withTerms, { eula: 'not a date', privacy: accepted.toc, toc: accepted.toc }), ['eula']);
  });
});

describe('missingRequiredMetadata', () => {
  const schema: MetadataSchema = {
    type: 'object',
    properties: {
      region: { type: 'string', 'ui:control': 'select', 'ui:options': [] },
      size: { type: 'number', 'ui:control': 'input', default: 1 },
      secret: { type: 'string', 'ui:control': 'input', 'ui:hidden': true },
      onCreate: { type: 'string', 'ui:control': 'input', 'ui:hidden': 'create' },
      tier: { type: 'string', 'ui:control': 'input', 'ui:hidden': 'update' },
    },
    required: ['region', 'size', 'secret', 'onCreate', 'tier', 'undeclared'],
  };

  test('names required keys left out that have no default and that a person could fill in', () => {
    assert.deepEqual(missingRequiredMetadata(schema, {}), ['region', 'tier', 'undeclared']);
    assert.deepEqual(missingRequiredMetadata(schema, { region: 'iad1', tier: 'a', undeclared: 'x' }), []);
  });

  test('names nothing for a schema without required keys', () => {
    assert.deepEqual(missingRequiredMetadata({ type: 'object', properties: {} }, {}), []);
  });
});
