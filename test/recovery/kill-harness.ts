import assert from 'node:assert/strict';
import type { TestContext } from 'node:test';
import type { Kysely } from 'kysely';
import type { SecretBox } from '../../src/crypto/secret-box.js';
import type { DB } from '../../src/db/schema.js';
import type { PausePoint } from '../../src/fault-injection.js';
import { openStockroomDatabase, startBuiltServer, type BuiltServer } from '../helpers/built-server.js';
import type { TestDatabase } from '../helpers/databases.js';
import { eventually } from '../helpers/eventually.js';
import { OWNER_TOKEN, send } from '../helpers/stockroom.js';

/**
 * Real Stockroom processes (dist/stockroom.mjs, what `npm start` runs) that a test kills with SIGKILL
 * at a pause point of a create (README, "Fault injection"), then restarts on the same database.
 */

/** A running child process and what it printed so far. */
export type Child = BuiltServer;

/**
 * Settings of every child: a short provider timeout so the grace period may be short too (the
 * config holds it at 4 × the timeout at least), and a quick recovery loop.
 */
export function childEnv(database: TestDatabase, extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    ...database.env,
    PORT: '0',
    STOCKROOM_TOKEN: OWNER_TOKEN,
    LOG_LEVEL: 'info',
    STOCKROOM_PROVIDER_TIMEOUT_MS: '1000',
    STOCKROOM_RECOVERY_GRACE_MS: '4000',
    STOCKROOM_RECOVERY_INTERVAL_MS: '250',
    ...extra,
  };
  // The parent's own pause setting (if a tester exported one) must not leak into a child.
  if (!('STOCKROOM_PAUSE_AT' in extra)) delete env.STOCKROOM_PAUSE_AT;
  return env;
}

export function startChild(t: TestContext, env: NodeJS.ProcessEnv): Promise<Child> {
  return startBuiltServer(t, env);
}

/** The three kinds of create every kill test makes: a free, a paid and a prepaid store. */
export const PLANS = {
  free: {},
  pro: { billingPlanId: 'pro', paymentMethodId: 'pm_card_visa' },
  prepaid: { billingPlanId: 'prepaid', paymentMethodId: 'pm_card_visa', prepaymentAmountCents: 2500 },
} as const;

export type PlanKind = keyof typeof PLANS;

/** The ledger of a finished store of each kind: [kind, cents], oldest first. */
export const LIVE_LEDGER: Record<PlanKind, Array<[string, number]>> = {
  free: [],
  pro: [['authorization', 1000], ['charge', 2000]],
  prepaid: [['charge', 2500], ['credit', 2500]],
};

/** The bootstrap team's installation of the reference integration. */
export async function installationId(url: string): Promise<string> {
  const res = await send(url, 'GET', '/v1/integrations/configurations?view=account');
  assert.equal(res.status, 200, res.text);
  return res.body[0].id;
}

/**
 * Starts one create per plan kind, named `${prefix}-${kind}`, without waiting for the answers
 * (a paused create never answers); the returned function drops the connections.
 */
export function fireCreates(url: string, icfg: string, prefix: string): { names: Record<PlanKind, string>; abort(): void } {
  const controller = new AbortController();
  const names = {} as Record<PlanKind, string>;
  for (const kind of Object.keys(PLANS) as PlanKind[]) {
    names[kind] = `${prefix}-${kind}`;
    const body = { name: names[kind], integrationConfigurationId: icfg, integrationProductIdOrSlug: 'acme-db', metadata: { region: 'iad1' }, ...PLANS[kind] };
    fetch(`${url}/v1/storage/stores/integration/direct`, {
      method: 'POST',
      headers: { authorization: `Bearer ${OWNER_TOKEN}`, 'content-type': 'application/json' },
      body: JSON.stringify(body),
      signal: controller.signal,
    }).catch(() => undefined); // the process is killed under it
  }
  return { names, abort: () => controller.abort() };
}

/** The database the children share, opened from the test process, and the key of its secrets. */
export function openShared(t: TestContext, database: TestDatabase): { db: Kysely<DB>; secretBox: SecretBox } {
  return openStockroomDatabase(t, database);
}

export interface PartnerResource {
  id: string;
  name: string;
  secrets: string;
  deleted_at: number | null;
}

export async function partnerResources(db: Kysely<DB>, name: string): Promise<PartnerResource[]> {
  // The reference partner's table lives in the same database but not in Stockroom's schema type.
  return (db as unknown as Kysely<{ ref_partner_resources: PartnerResource }>)
    .selectFrom('ref_partner_resources')
    .select(['id', 'name', 'secrets', 'deleted_at'])
    .where('name', '=', name)
    .execute();
}

export async function ledgerOf(db: Kysely<DB>, storeId: string): Promise<Array<[string, number]>> {
  const rows = await db.selectFrom('ledger_entries').select(['kind', 'amount_cents']).where('store_id', '=', storeId).orderBy('created_at').orderBy('id').execute();
  // Authorization before charge before credit before refund when two share a millisecond.
  const order = ['authorization', 'charge', 'credit', 'refund'];
  return rows.map((r): [string, number] => [r.kind, r.amount_cents]).sort((a, b) => order.indexOf(a[0]) - order.indexOf(b[0]));
}

/** No row is left half-made: every store is live or gone. */
export async function noneProvisioning(db: Kysely<DB>): Promise<boolean> {
  return (await db.selectFrom('stores').select('id').where('lifecycle', '=', 'provisioning').execute()).length === 0;
}

/**
 * The store named `name` was finished: live and available with its plan's ledger, one live
 * resource at the partner (the one the first call made, not a second), and the partner's secret
 * values sealed in the row.
 */
export async function assertFinished(db: Kysely<DB>, secretBox: SecretBox, name: string, kind: PlanKind): Promise<void> {
  const rows = await db.selectFrom('stores').selectAll().where('name', '=', name).execute();
  assert.equal(rows.length, 1, `one store row named ${name}`);
  const row = rows[0]!;
  assert.equal(row.lifecycle, 'live', name);
  assert.equal(row.status, 'available', name);
  assert.deepEqual(await ledgerOf(db, row.id), LIVE_LEDGER[kind], `ledger of ${name}`);
  const resources = await partnerResources(db, name);
  assert.deepEqual(resources.map((r) => [r.id, r.deleted_at]), [[row.external_resource_id, null]], `one live resource for ${name}, the store's`);
  assert.ok(row.secrets_sealed, name);
  const sealed = JSON.parse(secretBox.open(row.secrets_sealed, `stores.secrets_sealed:${row.id}`)) as Array<{ name: string; value: string }>;
  const atPartner = JSON.parse(secretBox.open(resources[0]!.secrets, `ref_partner_resources.secrets:${resources[0]!.id}`)) as Array<{ name: string; value: string }>;
  assert.deepEqual(sealed.map((s) => [s.name, s.value]), atPartner.map((s) => [s.name, s.value]), `the partner's secrets of ${name}`);
}

/**
 * The store named `name` was undone: no row, every charge refunded, every resource the partner
 * made for it deleted.
 */
export async function assertUndone(db: Kysely<DB>, name: string, storeId: string): Promise<void> {
  assert.deepEqual(await db.selectFrom('stores').select('id').where('name', '=', name).execute(), [], `no store row named ${name}`);
  const ledger = await ledgerOf(db, storeId);
  const sum = (kind: string) => ledger.filter(([k]) => k === kind).reduce((total, [, cents]) => total + cents, 0);
  assert.equal(sum('refund'), sum('charge'), `every charge of ${name} refunded: ${JSON.stringify(ledger)}`);
  const live = (await partnerResources(db, name)).filter((r) => r.deleted_at === null);
  assert.deepEqual(live, [], `no live resource named ${name} at the partner`);
}

export interface KilledCreates {
  readonly db: Kysely<DB>;
  readonly secretBox: SecretBox;
  /** Store name per plan kind. */
  readonly names: Record<PlanKind, string>;
  /** Store id per plan kind, read from the rows the killed process left. */
  readonly ids: Record<PlanKind, string>;
  /** Recovery's outcome per store id, from the restarted process's log lines. */
  readonly outcomes: ReadonlyMap<string, string>;
}

/**
 * The whole scenario: a process paused at `point` by STOCKROOM_PAUSE_AT takes a free, a paid and
 * a prepaid create to that point, is killed with SIGKILL, and a fresh process (with
 * `restartEnv`) starts on the same database; resolves once no store is left `provisioning`.
 */
export async function killAtAndRestart(t: TestContext, database: TestDatabase, point: PausePoint, restartEnv: Record<string, string> = {}): Promise<KilledCreates> {
  const first = await startChild(t, childEnv(database, { STOCKROOM_PAUSE_AT: point }));
  // Opened once the first process made the database (and, on SQLite, its key).
  const { db, secretBox } = openShared(t, database);
  const icfg = await installationId(first.url);
  const creates = fireCreates(first.url, icfg, point);
  await first.waitForOutput(new RegExp(`stockroom: paused at ${point}\\n`), 3);
  if (point === 'during-provision') {
    // The call is out; wait until the partner made the resources, so the kill lands between the
    // provider's work and Stockroom reading its answer.
    await eventually('the partner stored the resources', async () => {
      const made = await Promise.all(Object.values(creates.names).map((name) => partnerResources(db, name)));
      return made.every((r) => r.length === 1);
    });
  }
  await first.kill();
  creates.abort();

  const left = await db.selectFrom('stores').select(['id', 'name', 'lifecycle']).execute();
  const ids = {} as Record<PlanKind, string>;
  for (const kind of Object.keys(PLANS) as PlanKind[]) {
    const row = left.find((r) => r.name === creates.names[kind]);
    assert.equal(row?.lifecycle, 'provisioning', `the kill left ${creates.names[kind]} half-made`);
    ids[kind] = row.id;
  }

  const second = await startChild(t, childEnv(database, restartEnv));
  await eventually('recovery left no store provisioning', () => noneProvisioning(db));
  // The log line follows the last write; wait for it too before killing the process.
  await second.waitForOutput(/"outcome":"(resumed|undone)".*"msg":"store recovery"/, 3);
  await second.kill();
  return { db, secretBox, names: creates.names, ids, outcomes: recoveryOutcomes(second.output()) };
}

/** `store → outcome` from the `store recovery` log lines of a process's output. */
export function recoveryOutcomes(output: string): Map<string, string> {
  const outcomes = new Map<string, string>();
  for (const line of output.split('\n')) {
    if (!line.includes('"msg":"store recovery"')) continue;
    const entry = JSON.parse(line) as { store: string; outcome: string };
    outcomes.set(entry.store, entry.outcome);
  }
  return outcomes;
}
