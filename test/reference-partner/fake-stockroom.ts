import { Vercel } from '@vercel/sdk';
import Fastify, { type FastifyInstance } from 'fastify';

/** One call the partner made back. */
export interface CallBack {
  readonly method: string;
  /** Path with the query string. */
  readonly path: string;
  readonly authorization: string | undefined;
  readonly userAgent: string | undefined;
  readonly body: any;
}

/**
 * A stand-in for Stockroom's partner-called endpoints (partner-api.md §1.5), used only until a test
 * can run against the real ones (partner-calls-back*.test.ts does). It records every call and
 * answers the documented success shapes; `invoiceStates` sets what Get Invoice answers.
 */
export interface FakeStockroom {
  readonly url: string;
  readonly calls: CallBack[];
  readonly invoiceStates: Map<string, string>;
  /** What the next SSO token exchange answers: an id_token, or an error status. */
  ssoAnswer: { readonly idToken: string } | { readonly status: number };
  close(): Promise<void>;
}

export async function startFakeStockroom(): Promise<FakeStockroom> {
  const app: FastifyInstance = Fastify({ logger: false });
  const calls: CallBack[] = [];
  const invoiceStates = new Map<string, string>();
  let invoiceCounter = 0;
  app.addHook('preHandler', async (request) => {
    calls.push({ method: request.method, path: request.url, authorization: request.headers.authorization, userAgent: request.headers['user-agent'], body: request.body ?? null });
  });
  // The SDK sends `accept: */*` bodyless POSTs with a JSON content type now and then.
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (_request, body, done) => {
    try {
      done(null, body === '' ? null : JSON.parse(String(body)));
    } catch (error) {
      done(error as Error, undefined);
    }
  });
  app.post('/v1/installations/:icfg/billing', async (_request, reply) => reply.code(201).send({}));
  app.post('/v1/installations/:icfg/billing/balance', async (_request, reply) => reply.code(201).send({}));
  app.post('/v1/installations/:icfg/billing/invoices', async () => {
    const invoiceId = `inv_fake${++invoiceCounter}`;
    invoiceStates.set(invoiceId, 'scheduled');
    return { invoiceId };
  });
  app.get('/v1/installations/:icfg/billing/invoices/:invoiceId', async (request, reply) => {
    const { invoiceId } = request.params as { invoiceId: string };
    const state = invoiceStates.get(invoiceId);
    if (!state) return reply.code(404).send({ error: { code: 'not_found', message: 'no such invoice' } });
    return { invoiceId, state, total: '20.00' };
  });
  app.post('/v1/installations/:icfg/billing/invoices/:invoiceId/actions', async (request, reply) => {
    invoiceStates.set((request.params as { invoiceId: string }).invoiceId, 'refund_requested');
    return reply.code(204).send();
  });
  app.post('/v1/installations/:icfg/billing/finalize', async (_request, reply) => reply.code(204).send());
  const fake: FakeStockroom = {
    url: '',
    calls,
    invoiceStates,
    ssoAnswer: { status: 400 },
    close: () => app.close(),
  };
  app.post('/v1/integrations/sso/token', async (_request, reply) => {
    const answer = fake.ssoAnswer;
    if ('status' in answer) return reply.code(answer.status).send({ error: { code: 'bad_request', message: 'refused' } });
    return { id_token: answer.idToken, access_token: null, token_type: null };
  });
  const url = await app.listen({ port: 0, host: '127.0.0.1' });
  return Object.assign(fake, { url });
}

const DATE_KEYS = new Set(['timestamp', 'eod', 'start', 'end', 'invoiceDate']);

/** The body with its ISO dates as `Date`s, as a caller of the SDK passes them. */
function sdkInput(value: unknown, key = ''): unknown {
  if (typeof value === 'string' && DATE_KEYS.has(key)) return new Date(value);
  if (Array.isArray(value)) return value.map((v) => sdkInput(v));
  if (value !== null && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, sdkInput(v, k)]));
  return value;
}

/**
 * What `@vercel/sdk` 1.28.35 itself sends for the same call: the partner's request is replayed
 * through the SDK's operation against `fake`, and the SDK's request is returned to be compared
 * with the partner's. The SDK validates its input and drops keys it does not know, so equal
 * requests mean the partner sent exactly the documented shape.
 */
export async function sdkEquivalent(fake: FakeStockroom, call: CallBack): Promise<CallBack> {
  const token = call.authorization?.replace(/^Bearer /, '') ?? '';
  const sdk = new Vercel({ bearerToken: token, serverURL: fake.url });
  const match = /^\/v1\/installations\/([^/]+)\/billing(?:\/(balance|invoices|finalize))?(?:\/([^/]+)\/actions)?$/.exec(call.path);
  if (!match) throw new Error(`no SDK operation for ${call.method} ${call.path}`);
  const [, icfg, kind, invoiceId] = match as unknown as [string, string, string | undefined, string | undefined];
  const before = fake.calls.length;
  const requestBody = sdkInput(call.body) as any;
  if (kind === undefined) await sdk.marketplace.submitBillingData({ integrationConfigurationId: icfg, requestBody });
  else if (kind === 'balance') await sdk.marketplace.submitPrepaymentBalances({ integrationConfigurationId: icfg, requestBody });
  else if (kind === 'invoices' && invoiceId) await sdk.marketplace.updateInvoice({ integrationConfigurationId: icfg, invoiceId, requestBody });
  else if (kind === 'invoices') await sdk.marketplace.submitInvoice({ integrationConfigurationId: icfg, requestBody });
  else await sdk.marketplace.finalizeInstallation({ integrationConfigurationId: icfg });
  const sent = fake.calls.splice(before);
  if (sent.length !== 1) throw new Error(`the SDK made ${sent.length} calls`);
  return sent[0]!;
}
