import assert from 'node:assert/strict';
import { createHmac, randomBytes } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import type { ReferencePartnerControl } from '../../src/providers/reference-partner/index.js';
import { startFakeStockroom, type FakeStockroom } from './fake-stockroom.js';
import { CLIENT_ID, dialectsToTest, installationBody, newInstallationId, PREFIX, startPartner, type PartnerHarness } from './harness.js';

const CLIENT_SECRET = `secret_${randomBytes(16).toString('hex')}`;
const sign = (body: string, secret = CLIENT_SECRET) => createHmac('sha1', secret).update(body).digest('hex');

for (const dialect of dialectsToTest()) {
  describe(`reference partner webhooks and SSO page (${dialect})`, () => {
    let p: PartnerHarness;
    let fake: FakeStockroom;
    let control: ReferencePartnerControl;
    before(async () => {
      fake = await startFakeStockroom();
      p = await startPartner(dialect, { partner: { stockroomUrl: fake.url, clientSecret: CLIENT_SECRET, jobIntervalMs: 0, onControl: (c) => (control = c) } });
    });
    after(async () => {
      await p?.close();
      await fake?.close();
    });

    const deliver = async (event: Record<string, unknown>, options: { signature?: string | null; query?: string; raw?: string } = {}) => {
      const body = options.raw ?? JSON.stringify(event);
      const headers: Record<string, string> = { 'content-type': 'application/json' };
      const signature = options.signature === undefined ? sign(body) : options.signature;
      if (signature !== null) headers['x-vercel-signature'] = signature;
      const response = await fetch(`${p.url}/webhooks${options.query ?? ''}`, { method: 'POST', headers, body });
      return { status: response.status, body: (await response.json()) as any };
    };
    const eventRow = (id: string) => p.db.selectFrom('ref_partner_webhook_events').selectAll().where('id', '=', id).executeTakeFirst();
    const event = (type: string, payload: Record<string, unknown>) => ({ id: `evt_${randomBytes(6).toString('hex')}`, type, createdAt: p.clock.now, payload });

    test('a bad or missing signature is refused with 403 and nothing is recorded', async () => {
      const e = event('marketplace.invoice.paid', { installationId: 'icfg_x', invoiceId: 'inv_x' });
      const body = JSON.stringify(e);
      for (const signature of [null, sign(body, 'another secret'), 'not-hex', sign(`${body} `)]) {
        const answer = await deliver(e, { signature });
        assert.equal(answer.status, 403, String(signature));
        assert.equal(answer.body.error.code, 'forbidden');
      }
      assert.equal(await eventRow(e.id), undefined);
      // The signature covers the raw bytes: the same JSON spaced differently verifies only with its own signature.
      const spaced = JSON.stringify(e, null, 2);
      assert.equal((await deliver(e, { raw: spaced, signature: sign(body) })).status, 403);
      assert.equal(await eventRow(e.id), undefined, 'still nothing recorded');
      assert.equal((await deliver(e, { raw: spaced })).status, 200);
      const recorded = await eventRow(e.id);
      assert.equal(recorded?.type, 'marketplace.invoice.paid');
      assert.equal(Number(recorded?.deliveries), 1);
    });

    test('each event is recorded once by id, however often delivered; invoice events move the partner\'s invoice', async () => {
      // An invoice the partner submitted (through the stand-in), then told paid by webhook.
      p.clock.now = Date.UTC(2026, 0, 31, 12);
      const id = newInstallationId();
      assert.equal((await p.request('PUT', `/v1/installations/${id}`, { body: installationBody() })).status, 200);
      const resource = (await p.provision(id, { name: 'hooked', billingPlanId: 'pro' })).body.id as string;
      p.clock.now = Date.UTC(2026, 1, 1, 1);
      await control.runJobs();
      const invoice = await p.db.selectFrom('ref_partner_invoices').selectAll().where('resource_id', '=', resource).executeTakeFirstOrThrow();

      const paid = event('marketplace.invoice.paid', { installationId: id, invoiceId: invoice.invoice_id, period: { start: '2026-02-01T00:00:00.000Z', end: '2026-03-01T00:00:00.000Z' }, invoiceTotal: '20.00' });
      for (let i = 0; i < 3; i += 1) {
        const answer = await deliver(paid);
        assert.equal(answer.status, 200);
        assert.deepEqual(answer.body, { received: true, id: paid.id });
      }
      const row = await eventRow(paid.id);
      assert.ok(row);
      assert.equal(row.type, 'marketplace.invoice.paid');
      assert.equal(row.installation_id, id);
      assert.equal(Number(row.deliveries), 3);
      assert.ok(row.processed_at !== null);
      const state = async () => (await p.db.selectFrom('ref_partner_invoices').select('state').where('id', '=', invoice.id).executeTakeFirstOrThrow()).state;
      assert.equal(await state(), 'paid');
      // A late `created` never moves it back; `refunded` moves it on.
      assert.equal((await deliver(event('marketplace.invoice.created', { installationId: id, invoiceId: invoice.invoice_id }))).status, 200);
      assert.equal(await state(), 'paid');
      assert.equal((await deliver(event('marketplace.invoice.refunded', { installationId: id, invoiceId: invoice.invoice_id }))).status, 200);
      assert.equal(await state(), 'refunded');
      // An unknown invoice or event type is recorded and otherwise ignored.
      const other = event('deployment.created', { deployment: { id: 'dpl_1' } });
      assert.equal((await deliver(other)).status, 200);
      assert.ok(await eventRow(other.id));
    });

    test('integration-configuration.removed deletes the installation and its resources', async () => {
      const id = newInstallationId();
      assert.equal((await p.request('PUT', `/v1/installations/${id}`, { body: installationBody() })).status, 200);
      await p.provision(id, { name: 'to-go', billingPlanId: 'free' });
      const removed = event('integration-configuration.removed', { configuration: { id, projects: [] } });
      assert.equal((await deliver(removed)).status, 200);
      const installation = await p.db.selectFrom('ref_partner_installations').select('deleted_at').where('id', '=', id).executeTakeFirstOrThrow();
      assert.ok(installation.deleted_at !== null);
      const live = await p.db.selectFrom('ref_partner_resources').select('id').where('installation_id', '=', id).where('deleted_at', 'is', null).execute();
      assert.equal(live.length, 0);
      assert.equal((await p.request('GET', `/v1/installations/${id}`)).status, 404);
    });

    test('webhook-fail-first: ?fail_first=2 answers 500 to the first two deliveries of each event, then 200, acting once', async () => {
      const e = event('deployment.ready', { installationId: 'icfg_any' });
      const statuses = [];
      for (let i = 0; i < 4; i += 1) statuses.push((await deliver(e, { query: '?fail_first=2' })).status);
      assert.deepEqual(statuses, [500, 500, 200, 200]);
      const row = await eventRow(e.id);
      assert.equal(Number(row!.deliveries), 4);
      assert.ok(row!.processed_at !== null);
      const countEvents = async () => (await p.db.selectFrom('ref_partner_webhook_events').select('id').execute()).length;
      const eventsBefore = await countEvents();
      const malformed = await deliver({}, { raw: '{"type":"x"}' });
      assert.equal(malformed.status, 400);
      assert.equal(typeof malformed.body.error.code, 'string');
      assert.equal(typeof malformed.body.error.message, 'string');
      assert.equal(await countEvents(), eventsBefore, 'a malformed event is not recorded');
    });

    test('SSO page: exchanges the code with the client id and secret, verifies the id_token against the JWKS, shows who signed in for which resource', async () => {
      p.clock.now = Date.now();
      const id = newInstallationId();
      assert.equal((await p.request('PUT', `/v1/installations/${id}`, { body: installationBody() })).status, 200);
      const resource = (await p.provision(id, { name: 'orders-db', billingPlanId: 'free' })).body.id as string;
      fake.ssoAnswer = { idToken: await p.userToken(id, { claims: { user_name: 'Ada <Lovelace>', type: 'id_token' } }) };
      const before = fake.calls.length;
      const page = await fetch(`${p.url}/sso?code=c0de&state=st4te&resource_id=${resource}`);
      assert.equal(page.status, 200);
      assert.match(page.headers.get('content-type') ?? '', /^text\/html/);
      const html = await page.text();
      assert.ok(html.includes('Signed in to Acme as Ada &lt;Lovelace&gt; for orders-db'), html);
      const exchange = fake.calls.slice(before).find((c) => c.path === '/v1/integrations/sso/token');
      assert.ok(exchange);
      assert.deepEqual(exchange.body, { code: 'c0de', state: 'st4te', client_id: CLIENT_ID, client_secret: CLIENT_SECRET, grant_type: 'authorization_code' });
      assert.equal(exchange.authorization, undefined);

      // An id_token not signed by the JWKS's key, or for another audience, is refused.
      const { generateKeyPair } = await import('jose');
      const { privateKey } = await generateKeyPair('RS256');
      for (const idToken of [await p.userToken(id, { privateKey }), await p.userToken(id, { claims: { aud: 'oac_other' } }), await p.userToken(id, { expiresIn: -60 })]) {
        fake.ssoAnswer = { idToken };
        const refused = await fetch(`${p.url}/sso?code=c0de&state=s`);
        assert.equal(refused.status, 401);
        assert.ok(!(await refused.text()).includes(CLIENT_SECRET));
      }
      // The exchange refused; no code at all.
      fake.ssoAnswer = { status: 400 };
      assert.equal((await fetch(`${p.url}/sso?code=used&state=s`)).status, 401);
      assert.equal((await fetch(`${p.url}/sso`)).status, 400);
    });

    test('the partner API routes still require their JWT, and unknown routes still answer the partner 404', async () => {
      assert.equal((await p.request('GET', `/v1/installations/${newInstallationId()}`, { token: null })).status, 403);
      const missing = await fetch(`${p.url}/nowhere`);
      assert.equal(missing.status, 404);
      assert.equal(((await missing.json()) as any).error.code, 'not_found');
      assert.ok(PREFIX.length > 0);
    });
  });

  describe(`reference partner without a client secret (${dialect})`, () => {
    test('webhooks are refused and the SSO page says it cannot sign in', async (t) => {
      const p = await startPartner(dialect, { partner: { jobIntervalMs: 0 } });
      t.after(() => p.close());
      const body = JSON.stringify({ id: 'evt_1', type: 'x', createdAt: 1, payload: {} });
      const answer = await fetch(`${p.url}/webhooks`, { method: 'POST', headers: { 'content-type': 'application/json', 'x-vercel-signature': sign(body) }, body });
      assert.equal(answer.status, 403);
      assert.equal(((await answer.json()) as any).error.code, 'forbidden');
      assert.equal(await p.db.selectFrom('ref_partner_webhook_events').select('id').where('id', '=', 'evt_1').executeTakeFirst(), undefined, 'nothing recorded');
      assert.equal((await fetch(`${p.url}/sso?code=x`)).status, 503);
    });
  });
}
