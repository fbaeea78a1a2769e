import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { BillingPlan } from '../../src/domain/billing-plan-types.js';
import { settlePlanChange, type PendingPlanChange, type PlanChangeSettlementPorts, type ProviderPlanReading } from '../../src/domain/installation-plan-change.js';
import type { Installation } from '../../src/domain/installations.js';

/**
 * `settlePlanChange`: a plan change whose Update Installation outcome is unknown is decided by
 * the provider's own state (docs/installation-updates.md, "When the outcome is unknown").
 */

const installation = { id: 'icfg_1', teamId: 'team_1', integrationId: 'acme', status: 'ready' } as Installation;
const team = { id: 'team', name: 'Team', scope: 'installation' } as BillingPlan;
const hobby = { id: 'hobby', name: 'Hobby', scope: 'installation' } as BillingPlan;
const charged: PendingPlanChange = { id: 'ipc_1', installation, planId: 'team', charge: { reference: 'ch_1', amountCents: 5000 }, claimedAt: 1 };

function fakePorts(reading: ProviderPlanReading, claimHeld = true) {
  const calls: string[] = [];
  const ports: PlanChangeSettlementPorts = {
    readProviderPlan: async () => {
      calls.push('read');
      return reading;
    },
    renewClaim: async (_change) => {
      calls.push('renew');
      return claimHeld ? _change : null;
    },
    refund: async (_change, charge) => void calls.push(`refund ${charge.amountCents}`),
    record: async (_change, plan) => (calls.push(`record ${plan.id}`), true),
    release: async () => (calls.push('release'), true),
  };
  return { ports, calls };
}

describe('settling a plan change whose outcome is unknown', () => {
  it('the provider has the plan asked for: recorded, the charge kept', async () => {
    const { ports, calls } = fakePorts({ reached: true, billingPlan: team });
    assert.equal(await settlePlanChange(ports, charged), 'recorded');
    assert.deepEqual(calls, ['renew', 'read', 'record team']);
  });

  it('the provider has another plan, or none: refunded and released', async () => {
    for (const billingPlan of [hobby, null]) {
      const { ports, calls } = fakePorts({ reached: true, billingPlan });
      assert.equal(await settlePlanChange(ports, charged), 'refunded');
      assert.deepEqual(calls, ['renew', 'read', 'refund 5000', 'release']);
    }
  });

  it('the provider cannot say: nothing changes, the change stays pending', async () => {
    const { ports, calls } = fakePorts({ reached: false, reason: 'timeout' });
    assert.equal(await settlePlanChange(ports, charged), 'pending');
    assert.deepEqual(calls, ['renew', 'read']);
  });

  it('the claim is no longer the change\'s: left to whoever holds it', async () => {
    const { ports, calls } = fakePorts({ reached: true, billingPlan: team }, false);
    assert.equal(await settlePlanChange(ports, charged), 'lost');
    assert.deepEqual(calls, ['renew']);
  });

  it('past the deadline, a provider that still cannot say: refunded and released', async () => {
    const { ports, calls } = fakePorts({ reached: false, reason: 'timeout' });
    assert.equal(await settlePlanChange(ports, charged, { giveUp: true }), 'refunded');
    assert.deepEqual(calls, ['renew', 'read', 'refund 5000', 'release']);
  });

  it('a claim lost between the read-back and the write: nothing recorded, reported lost', async () => {
    const { ports, calls } = fakePorts({ reached: true, billingPlan: team });
    assert.equal(await settlePlanChange({ ...ports, record: async () => (calls.push('record refused'), false) }, charged), 'lost');
    assert.deepEqual(calls, ['renew', 'read', 'record refused']);
  });

  it('a change with no known plan and no charge (a free change that died): the provider\'s plan is recorded, or the claim released', async () => {
    const free: PendingPlanChange = { id: 'ipc_2', installation, planId: null, charge: null, claimedAt: 1 };
    const reported = fakePorts({ reached: true, billingPlan: hobby });
    assert.equal(await settlePlanChange(reported.ports, free), 'recorded');
    assert.deepEqual(reported.calls, ['renew', 'read', 'record hobby']);
    const none = fakePorts({ reached: true, billingPlan: null });
    assert.equal(await settlePlanChange(none.ports, free), 'refunded');
    assert.deepEqual(none.calls, ['renew', 'read', 'release']);
  });
});
