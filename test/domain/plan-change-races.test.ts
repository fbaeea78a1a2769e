import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { BillingPlan } from '../../src/domain/billing-plan-types.js';
import { changeInstallationPlan, PlanChangeFailure, type InstallationPlanChangePorts } from '../../src/domain/installation-plan-change.js';
import type { Installation } from '../../src/domain/installations.js';
import { ApiError } from '../../src/errors.js';

/**
 * Plan changes where two mechanisms meet (found in review): a second change racing a first that
 * records the same plan, and a refund that fails after the provider refused.
 */
const team = { id: 'team', type: 'subscription', name: 'Team', description: '', scope: 'installation', paymentMethodRequired: true, initialCharge: '50.00' } as unknown as BillingPlan;
const installation = { id: 'icfg_1', teamId: 'team_1', status: 'ready' } as unknown as Installation;
const command = { teamId: 'team_1', teamBillingState: 'active' as never, installationId: 'icfg_1', billingPlanId: 'team' };

function ports(overrides: Partial<InstallationPlanChangePorts>, log: string[]): InstallationPlanChangePorts {
  return {
    findInstallation: async () => installation,
    listInstallationPlans: async () => [team],
    recordedPlanId: async () => null,
    paymentMethodsOf: async () => ({ methods: [{ id: 'pm_card_visa' }], defaultId: 'pm_card_visa' }),
    claim: async () => (log.push('claim'), 1),
    authorize: async () => (log.push('authorize'), { ok: true, reference: 'auth' }),
    charge: async () => (log.push('charge'), { ok: true, reference: 'ch_1' }),
    updateAtProvider: async () => (log.push('provider'), {}),
    newChangeId: () => 'ipc_1',
    readProviderPlan: async () => ({ reached: false, reason: 'unused' }),
    renewClaim: async (change) => change,
    refund: async () => void log.push('refund'),
    record: async () => (log.push('record'), true),
    release: async () => (log.push('release'), true),
    ...overrides,
  };
}

test('a change that claims the installation just after another recorded the same plan charges nothing and lets go', async () => {
  const log: string[] = [];
  let recorded: string | null = null;
  const result = await changeInstallationPlan(
    ports(
      {
        recordedPlanId: async () => recorded,
        // Between this change's first read and its claim, the other change recorded `team` and let go.
        claim: async () => {
          recorded = 'team';
          log.push('claim');
          return 1;
        },
      },
      log,
    ),
    command,
  );
  assert.equal(result.changed, false);
  assert.deepEqual(log, ['claim', 'release'], 'nothing authorized, charged or sent to the provider');
});

test('a refund that fails after the provider refused keeps the claim, so the reconciliation loop refunds it later', async () => {
  const log: string[] = [];
  const refusing = ports(
    {
      updateAtProvider: async () => {
        throw new PlanChangeFailure('rejected', new ApiError('bad_request', 'no'));
      },
      refund: async () => {
        log.push('refund');
        throw new Error('processor unavailable');
      },
    },
    log,
  );
  await assert.rejects(changeInstallationPlan(refusing, command), /processor unavailable/);
  assert.deepEqual(log, ['claim', 'charge', 'refund'], 'the claim is not released while the charge is outstanding');
});

test('a prepayment plan is refused as a plan (invalid_billing_plan) even for a team without a payment method', async () => {
  const prepaid = { ...team, id: 'credits', type: 'prepayment' } as unknown as BillingPlan;
  const log: string[] = [];
  const noMethod = ports({ listInstallationPlans: async () => [prepaid], paymentMethodsOf: async () => ({ methods: [], defaultId: null }) }, log);
  await assert.rejects(changeInstallationPlan(noMethod, { ...command, billingPlanId: 'credits' }), (error: ApiError) => error.code === 'invalid_billing_plan');
  assert.deepEqual(log, []);
});
