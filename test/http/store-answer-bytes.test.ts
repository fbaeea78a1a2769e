/**
 * The store read and a list page, byte for byte. Issue 17 made these answers cheaper to write
 * (parts shared by every store of a product serialized once and spliced in, queries compiled once,
 * fewer columns read); none of that may change a byte. The stores are written straight into the
 * database with fixed ids, times and contents (every optional field set on one store, absent or
 * null on another, text that JSON must escape, two products, connections with and without a
 * prefix or framework), so the whole answer is known in advance: the expected bytes in
 * `store-answer-bytes.expected.json` were recorded from the answers of the code before issue 17,
 * with the two ids the server makes at start (its team and its installation) written as
 * `__TEAM__` and `__ICFG__` (issue 18 gave the reference products more guides: only the `guides`
 * arrays inside were replaced, by the catalog's new ones). The plans of a product (`GET …/plans`), which issue 17 serializes
 * once per plan list the provider answered, likewise: status, content type and body.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { dialectsToTest } from '../helpers/databases.js';
import { startTestServer, type TestServer } from '../helpers/stockroom.js';
import { bootstrapInstallationId } from '../helpers/stores.js';

const EXPECTED: { read: string; readOther: string; firstPage: string; secondPage: string; plans: Record<string, string> } = JSON.parse(
  readFileSync(new URL('./store-answer-bytes.expected.json', import.meta.url), 'utf8'),
);

const T0 = 1_790_000_000_000;

const PAID_PLAN = {
  id: 'pro',
  type: 'subscription',
  name: 'Pro',
  description: 'For "production" — with quotes, a tab\tand é',
  scope: 'resource',
  paymentMethodRequired: true,
  cost: '$20.00/month',
  details: [{ label: 'Support', value: 'Email' }, { label: 'Backups' }],
  highlightedDetails: [{ label: 'Storage', value: '10 GB' }],
  quote: [{ line: 'Pro', amount: '20.00' }],
  maxResources: 3,
};
const FREE_PLAN = { id: 'free', type: 'subscription', name: 'Free', description: '', scope: 'resource', paymentMethodRequired: false };

interface Ids {
  readonly team: string;
  readonly icfg: string;
  readonly user: string;
}

function storeRow(ids: Ids, n: number, fields: Record<string, unknown>) {
  return {
    id: `store_bytes${String(n).padStart(19, '0')}`,
    team_id: ids.team,
    installation_id: ids.icfg,
    integration_id: 'oac_stockroomReference',
    product_id: 'iap_acme_db',
    name: `bytes-${n}`,
    external_id: null,
    source: 'marketplace',
    created_by: ids.user,
    billing_plan_id: 'free',
    billing_plan: JSON.stringify(FREE_PLAN),
    metadata: JSON.stringify({ region: 'iad1' }),
    protocol_settings: null,
    lifecycle: 'live',
    status: 'available',
    external_resource_id: `res_bytes${n}`,
    external_resource_status: 'ready',
    notification: null,
    secrets_sealed: 'sealed-but-never-shown',
    secret_meta: JSON.stringify([{ name: 'ACME_DB_URL', length: 40 }]),
    provision_key: `prov_bytes${n}`,
    payment: null,
    failure: null,
    created_at: T0 + n * 1000,
    updated_at: T0 + n * 1000 + 7,
    deleted_at: null,
    ...fields,
  };
}

/** Five visible stores (one being deleted), one still provisioning and one deleted, which never show. */
async function seed(server: TestServer, ids: Ids): Promise<void> {
  const db = server.stockroom.ctx.db;
  await db
    .insertInto('stores')
    .values([
      storeRow(ids, 1, {
        billing_plan_id: 'pro',
        billing_plan: JSON.stringify(PAID_PLAN),
        metadata: JSON.stringify({ region: 'fra1', storageGb: 12.5, note: 'quote " backslash \\ newline \n emoji 🚀 nul-free \u2028', nested: { list: [1, null, true] } }),
        protocol_settings: JSON.stringify({ storage: { size: 3 } }),
        notification: JSON.stringify({ level: 'warn', title: 'Almost full', message: '90 % used', href: 'https://example.com/a?b=c&d' }),
        ownership: 'linked',
        secret_meta: JSON.stringify([
          { name: 'ACME_DB_URL', length: 148 },
          { name: 'ACME_DB_TOKEN', length: 45 },
        ]),
        payment: JSON.stringify({ planCents: 2000 }),
      }),
      storeRow(ids, 2, { status: null, external_resource_id: null, external_resource_status: null, secret_meta: '[]' }),
      storeRow(ids, 3, { product_id: 'iap_acme_kv', name: 'bytes-kv', lifecycle: 'deleting', status: 'error', external_resource_status: 'error' }),
      storeRow(ids, 4, { name: 'bytes-4 «ünïcödé»', status: 'suspended', ownership: 'owned' }),
      storeRow(ids, 5, { product_id: 'iap_acme_kv', created_at: T0 + 4000 }),
      storeRow(ids, 6, { lifecycle: 'provisioning', status: null }),
      storeRow(ids, 7, { lifecycle: 'deleted', deleted_at: T0 + 8000 }),
    ])
    .execute();
  await db
    .insertInto('projects')
    .values([
      { id: 'prj_bytes1', team_id: ids.team, name: 'web', framework: 'nextjs', created_at: T0, updated_at: T0 },
      { id: 'prj_bytes2', team_id: ids.team, name: 'api "v2"', framework: null, created_at: T0, updated_at: T0 },
    ])
    .execute();
  await db
    .insertInto('store_connections')
    .values([
      { id: 'spc_bytes2', store_id: storeRow(ids, 1, {}).id, project_id: 'prj_bytes2', team_id: ids.team, environments: '["production"]', env_var_prefix: null, sensitive: 0, created_at: T0 + 20 },
      { id: 'spc_bytes1', store_id: storeRow(ids, 1, {}).id, project_id: 'prj_bytes1', team_id: ids.team, environments: '["production","preview","development"]', env_var_prefix: 'DB_', sensitive: 1, created_at: T0 + 10 },
      { id: 'spc_bytes3', store_id: storeRow(ids, 4, {}).id, project_id: 'prj_bytes1', team_id: ids.team, environments: '["preview"]', env_var_prefix: 'KV_', sensitive: 0, created_at: T0 + 30 },
    ])
    .execute();
}

for (const dialect of dialectsToTest()) {
  describe(`store answers, byte for byte (${dialect})`, () => {
    it('a store read and list pages answer exactly the recorded bytes', async (t) => {
      const server = await startTestServer(t, dialect);
      const icfg = await bootstrapInstallationId(server);
      const db = server.stockroom.ctx.db;
      const installation = await db.selectFrom('installations').select(['team_id']).where('id', '=', icfg).executeTakeFirstOrThrow();
      const user = await db.selectFrom('memberships').select('user_id').where('team_id', '=', installation.team_id).executeTakeFirstOrThrow();
      const ids: Ids = { team: installation.team_id, icfg, user: user.user_id };
      await seed(server, ids);
      const expected = (text: string) => text.replaceAll('__TEAM__', ids.team).replaceAll('__ICFG__', ids.icfg);

      const read = await server.request('GET', `/v1/storage/stores/${storeRow(ids, 1, {}).id}`);
      assert.equal(read.status, 200, read.text);
      assert.equal(read.headers.get('content-type'), 'application/json; charset=utf-8');
      assert.equal(read.text, expected(EXPECTED.read));
      // The same store twice: whatever is kept between answers changes nothing.
      assert.equal((await server.request('GET', `/v1/storage/stores/${storeRow(ids, 1, {}).id}`)).text, expected(EXPECTED.read));

      const readOther = await server.request('GET', `/v1/storage/stores/${storeRow(ids, 3, {}).id}`);
      assert.equal(readOther.text, expected(EXPECTED.readOther));

      const untilAll = `until=${T0 + 100_000}`;
      const firstPage = await server.request('GET', `/v1/storage/stores?limit=3&${untilAll}`);
      assert.equal(firstPage.status, 200, firstPage.text);
      assert.equal(firstPage.headers.get('content-type'), 'application/json; charset=utf-8');
      assert.equal(firstPage.text, expected(EXPECTED.firstPage));
      const secondPage = await server.request('GET', `/v1/storage/stores?limit=3&until=${firstPage.body.pagination.next}`);
      assert.equal(secondPage.text, expected(EXPECTED.secondPage));

      // Nothing of the provisioning or deleted store, and the stores answered are the stored ones.
      const shown = [...firstPage.body.stores, ...secondPage.body.stores].map((s: { id: string }) => s.id);
      const visible = await db.selectFrom('stores').select('id').where('team_id', '=', ids.team).where('lifecycle', 'in', ['live', 'deleting']).orderBy('created_at', 'desc').orderBy('id', 'desc').execute();
      assert.deepEqual(shown, visible.map((r) => r.id));
    });

    it('plans answers are exactly the recorded bytes, asked once or again', async (t) => {
      const server = await startTestServer(t, dialect);
      const icfg = await bootstrapInstallationId(server);
      for (const [asked, expected] of Object.entries(EXPECTED.plans)) {
        const [product, query = ''] = asked.split('?');
        const path = `/v1/integrations/integration/acme/products/${product}/plans${query ? `?${query.replace('__ICFG__', icfg)}` : ''}`;
        for (const time of ['first', 'again']) {
          const answer = await server.request('GET', path);
          assert.equal(`${answer.status} ${answer.headers.get('content-type')} ${answer.text}`, expected, `${asked}, ${time}`);
        }
      }
    });
  });
}
