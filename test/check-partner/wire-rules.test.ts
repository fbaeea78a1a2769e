import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { selectFreePlan, selectPaidPlan } from '../../src/check-partner/checks/plan-checks.js';
import { errorBodyProblems, notificationProblems, planListProblems, planWarnings, resourceProblems, rotationProblems, secretsProblems } from '../../src/check-partner/wire-rules.js';

const free = { id: 'free', type: 'subscription', name: 'Free', description: 'Up to 1 GB', paymentMethodRequired: false };
const pro = { id: 'pro', type: 'subscription', name: 'Pro', description: '$20', paymentMethodRequired: true, preauthorizationAmount: 10, initialCharge: '20.00' };
const prepaid = { id: 'prepaid', type: 'prepayment', name: 'Prepaid', description: 'credits', minimumAmount: '5.00', maximumAmount: '500.00' };
const resource = { id: 'res_1', productId: 'db', name: 'a', metadata: {}, status: 'ready' };

describe('plan rules', () => {
  test('well-formed plans pass', () => {
    assert.deepEqual(planListProblems({ plans: [free, pro, prepaid] }), []);
  });

  test('each departure is named', () => {
    assert.deepEqual(planListProblems({ plan: [] }), ['the answer must be {"plans": [...]}, is an object with keys plan']);
    assert.deepEqual(planListProblems({ plans: [] }), ['no plan can be chosen: the list is empty or every plan is disabled']);
    assert.deepEqual(planListProblems({ plans: [free, { ...free }] }), ['plan ids repeat: free']);
    assert.deepEqual(planListProblems({ plans: [{ ...pro, type: 'monthly' }] }), ['plans[0].type must be subscription or prepayment, is "monthly"']);
    assert.deepEqual(planListProblems({ plans: [{ ...pro, initialCharge: 20 }] }), ['plans[0].initialCharge must be a decimal string of dollars such as "20.00", is 20']);
    assert.deepEqual(planListProblems({ plans: [{ ...prepaid, minimumAmount: '600.00' }] }), ['plans[0].minimumAmount 600.00 is above maximumAmount 500.00']);
    assert.deepEqual(planListProblems({ plans: [{ ...prepaid, maximumAmount: undefined }] }), ['plans[0]: a prepayment plan needs minimumAmount and maximumAmount']);
    assert.deepEqual(planListProblems({ plans: [{ ...free, description: undefined }] }), ['plans[0].description must be a string, is absent']);
    assert.deepEqual(planListProblems({ plans: [{ ...free, disabled: true }] }), ['no plan can be chosen: the list is empty or every plan is disabled']);
  });

  test('allowed but unwise: an unstated paymentMethodRequired, charges on a free plan', () => {
    assert.equal(planWarnings({ plans: [{ ...pro, paymentMethodRequired: undefined }] }).length, 1);
    assert.equal(planWarnings({ plans: [{ ...free, initialCharge: '1.00' }] }).length, 1);
    assert.deepEqual(planWarnings({ plans: [free, pro, prepaid] }), []);
  });

  test('plan choice: the first free subscription; the named or first paid plan', () => {
    assert.equal(selectFreePlan([pro, { ...free, disabled: true }, free])?.id, 'free');
    assert.equal(selectFreePlan([pro, prepaid]), undefined);
    assert.equal(selectPaidPlan([free, prepaid, pro], undefined)?.id, 'pro');
    assert.equal(selectPaidPlan([free, prepaid], undefined)?.id, 'prepaid');
    assert.equal(selectPaidPlan([free, prepaid, pro], 'prepaid')?.id, 'prepaid');
    assert.equal(selectPaidPlan([free], 'gold'), undefined);
  });
});

describe('resource, secret, notification, error and rotation rules', () => {
  test('a resource echoes the product and name asked for', () => {
    assert.deepEqual(resourceProblems(resource, { productId: 'db', name: 'a' }), []);
    assert.deepEqual(resourceProblems({ ...resource, status: 'available' }, { productId: 'db', name: 'a' }), [
      'resource.status must be one of ready, pending, onboarding, suspended, resumed, uninstalled, error, is "available"',
    ]);
    assert.deepEqual(resourceProblems({ ...resource, metadata: undefined, productId: 'kv' }, { productId: 'db', name: 'a' }), [
      'resource.productId is "kv", not the product asked for, "db"',
      'resource.metadata must be an object, is absent',
    ]);
    assert.deepEqual(resourceProblems(resource, { id: 'res_2', productId: 'db', name: 'a' }), ['resource.id is "res_1", not "res_2"']);
  });

  test('secrets: at least one, environment-variable names, no repeats, known environments', () => {
    assert.deepEqual(secretsProblems([{ name: 'DATABASE_URL', value: 'postgres://x' }], 'secrets'), []);
    assert.deepEqual(secretsProblems([], 'secrets'), ['secrets is empty: at least one secret is needed for the project\'s environment variables']);
    assert.deepEqual(secretsProblems(undefined, 'secrets'), ['secrets must be an array of {name, value}, is absent']);
    // A map of secrets is named by its keys: a message is outside the masking of `secrets`.
    assert.deepEqual(secretsProblems({ DATABASE_URL: 'postgres://u:pw@h/db' }, 'secrets'), ['secrets must be an array of {name, value}, is an object with keys DATABASE_URL']);
    assert.equal(secretsProblems([{ name: '1URL', value: 'x' }], 'secrets').length, 1);
    assert.equal(secretsProblems([{ name: 'DATABASE-URL', value: 'x' }], 'secrets').length, 1);
    assert.deepEqual(secretsProblems([{ name: 'A', value: 'x' }, { name: 'A', value: 'y' }], 'secrets'), ['secrets names repeat: A']);
    assert.deepEqual(secretsProblems([{ name: 'A', value: 'x', environmentOverrides: { staging: 'y' } }], 'secrets'), [
      'secrets[0].environmentOverrides.staging is not an environment (development, preview, production)',
    ]);
  });

  test('notification limits', () => {
    assert.deepEqual(notificationProblems(null, 'n'), []);
    assert.deepEqual(notificationProblems({ level: 'info', title: 'x'.repeat(100), href: 'sso:' }, 'n'), []);
    assert.deepEqual(notificationProblems({ level: 'debug', title: 'x'.repeat(101), message: 'm'.repeat(501), href: '/relative' }, 'n'), [
      'n.level must be info, warn or error, is "debug"',
      'n.title has 101 characters; at most 100',
      'n.message has 501 characters; at most 500',
      'n.href must be an absolute http(s) URL or an sso: link, is "/relative"',
    ]);
  });

  test("error bodies: Vercel's shape, fields on 400 only", () => {
    assert.deepEqual(errorBodyProblems({ error: { code: 'forbidden', message: 'no' } }, 403), []);
    assert.deepEqual(errorBodyProblems({ error: true, code: 'not_found' }, 404), ['the body must be {"error": {"code", "message"}}, is an object with keys error, code']);
    assert.deepEqual(errorBodyProblems({ error: { code: 'conflict', message: 'x', fields: [{ key: 'name' }] } }, 409), ['error.fields is only for 400 answers, sent with 409']);
    assert.deepEqual(errorBodyProblems({ error: { code: '', message: 'x' } }, 400), ['error.code must not be empty']);
  });

  test('rotation answers: 200 sync with secrets, 202 not sync', () => {
    assert.deepEqual(rotationProblems({ sync: true, secrets: [{ name: 'A', value: 'b' }] }, 200), []);
    assert.deepEqual(rotationProblems({ sync: false }, 202), []);
    assert.deepEqual(rotationProblems({ sync: true }, 202), ['a 202 answer must be {"sync": false}, is an object with keys sync']);
    assert.deepEqual(rotationProblems({ sync: false }, 200), ['a 200 answer must be {"sync": true, "secrets": [...]}, is an object with keys sync']);
  });
});
