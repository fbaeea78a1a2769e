import { randomBytes } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { createRemoteJWKSet, errors, jwtVerify, type JWTPayload } from 'jose';

/**
 * A small in-memory partner API server for `stockroom check-partner`'s tests: conformant by
 * default (every check of CHECKER-CONTRACT.md passes), with one switch per departure the checker
 * must catch. Written from the partner API's spec, not from Stockroom's partner kit, so that the
 * checker is tried against a partner it shares no code with.
 */
export interface FixturePartnerOptions {
  /** The JWKS tokens are verified against (the checker serves it). */
  readonly jwksUrl: string;
  readonly issuer: string;
  /** The audience tokens must carry. */
  readonly clientId: string;
  /** Where asynchronous rotation PUTs the new secrets (the checker's mini Vercel). */
  readonly vercelUrl?: string;
  /** `async`: Rotate answers 202 `{sync:false}` and PUTs the new secrets to Vercel afterwards. */
  readonly rotation?: 'sync' | 'async';
  /** Resources are provisioned `pending`, read `ready` this many ms later, and a `resource.updated` event says so. */
  readonly pendingFor?: number;
  /** The `resource.updated` event follows the status change this much later (0 by default). */
  readonly readyEventDelayMs?: number;
  /** Sends no `resource.updated` event when a pending resource turns ready (allowed, but Vercel then only learns it by polling). */
  readonly silentWhenReady?: boolean;

  // The departures, one each.
  /** A replay with the same Idempotency-Key provisions a second resource. */
  readonly ignoresIdempotencyKey?: boolean;
  /** Signatures, issuer and audience are verified, expiry is not. */
  readonly acceptsExpiredTokens?: boolean;
  /** A token whose kid is not in the JWKS is a 500, as in Vercel's example partner. */
  readonly unknownKid500?: boolean;
  /** Provision answers the Resource without `secrets`. */
  readonly omitsSecrets?: boolean;
  /** Unknown billingPlanId → 404 (not 400); Get Resource of an unknown id → 400 (not 404). */
  readonly wrongStatusCodes?: boolean;
  /** Every 4xx body is `{"error":true,"code":…}`, as in Vercel's example partner. */
  readonly nonStandardErrorBodies?: boolean;
  /** Resources are provisioned `pending` and never become ready. */
  readonly neverReady?: boolean;
  /** Provision answers `secrets` as a map `{NAME: value}` instead of a list of `{name, value}`. */
  readonly secretsAsMap?: boolean;
  /** With async rotation: answers 202 and never pushes the new secrets. */
  readonly neverPushes?: boolean;
  /** A refused token is quoted back in the error message (allowed by the shape, unwise). */
  readonly echoesToken?: boolean;
}

export interface FixturePartner {
  readonly url: string;
  /** Every secret value handed out (provision and rotation): what no report may show. */
  readonly issuedSecretValues: readonly string[];
  /** The partner's calls to Vercel (rotated secrets, events) and Vercel's answers (a status, or the error). */
  readonly vercelCalls: ReadonlyArray<VercelCall>;
  close(): Promise<void>;
}

export interface VercelCall {
  readonly method: string;
  readonly url: string;
  readonly status?: number;
  readonly error?: string;
}

export const FIXTURE_PRODUCT = 'fixture-db';

export const FREE_PLAN = {
  id: 'hobby',
  type: 'subscription',
  scope: 'resource',
  name: 'Hobby',
  description: 'One small database, free.',
  paymentMethodRequired: false,
  cost: 'Free',
  details: [{ label: 'Storage', value: '256 MB' }],
  highlightedDetails: [{ label: 'Free forever' }],
} as const;

export const PAID_PLAN = {
  id: 'pro',
  type: 'subscription',
  scope: 'resource',
  name: 'Pro',
  description: 'A larger database, billed monthly.',
  paymentMethodRequired: true,
  cost: '$20.00 / month',
  initialCharge: '20.00',
  preauthorizationAmount: 20,
  details: [{ label: 'Storage', value: '10 GB' }],
} as const;

const PLANS = [FREE_PLAN, PAID_PLAN];
const RESOURCE_ROUTES = new Set([
  'GET v1/installations/:id/resources/:rid',
  'PATCH v1/installations/:id/resources/:rid',
  'DELETE v1/installations/:id/resources/:rid',
  'POST v1/installations/:id/resources/:rid/secrets/rotate',
]);
const TEN_YEARS_IN_SECONDS = 10 * 365 * 24 * 3600;

interface Resource {
  readonly id: string;
  readonly installationId: string;
  readonly createdAt: number;
  name: string;
  metadata: Record<string, unknown>;
  billingPlanId: string;
  secrets: Array<{ name: string; value: string }>;
  deleted: boolean;
}

/** A refusal the handler throws; the server writes it in the error shape in force. */
class Refusal {
  constructor(
    readonly status: number,
    readonly code: string,
    readonly message: string,
    readonly fields?: ReadonlyArray<{ key: string; message: string }>,
  ) {}
}

const forbidden = (message: string) => new Refusal(403, 'forbidden', message);
const notFound = (message: string) => new Refusal(404, 'not_found', message);
const invalid = (key: string, message: string) => new Refusal(400, 'validation_error', `${key}: ${message}`, [{ key, message }]);

interface Call {
  readonly method: string;
  readonly segments: readonly string[];
  readonly query: URLSearchParams;
  readonly headers: http.IncomingHttpHeaders;
  readonly body: any;
}

interface Answer {
  readonly status: number;
  readonly body?: unknown;
}

export async function startFixturePartner(options: FixturePartnerOptions): Promise<FixturePartner> {
  const jwks = createRemoteJWKSet(new URL(options.jwksUrl));
  const installations = new Map<string, { accessToken: string }>();
  const resources = new Map<string, Resource>();
  const answeredKeys = new Map<string, Answer>();
  const issuedSecretValues: string[] = [];
  const vercelCalls: VercelCall[] = [];
  const readyTimers = new Set<NodeJS.Timeout>();
  let resourceCounter = 0;

  async function authenticate(call: Call, installationId: string | undefined): Promise<JWTPayload> {
    const header = call.headers.authorization ?? '';
    if (!header.startsWith('Bearer ')) throw forbidden('A Bearer token is required.');
    let payload: JWTPayload;
    try {
      ({ payload } = await jwtVerify(header.slice('Bearer '.length), jwks, {
        issuer: options.issuer,
        audience: options.clientId,
        algorithms: ['RS256'],
        ...(options.acceptsExpiredTokens ? { clockTolerance: TEN_YEARS_IN_SECONDS } : {}),
      }));
    } catch (error) {
      if (options.unknownKid500 && error instanceof errors.JWKSNoMatchingKey) throw error;
      const quoted = options.echoesToken ? ` The token was: ${header}` : '';
      throw forbidden(`The token was refused (${(error as { code?: string }).code ?? 'invalid'}).${quoted}`);
    }
    if (installationId !== undefined && payload.installation_id !== installationId) throw forbidden('The token is for another installation.');
    if (call.method !== 'GET' && payload.user_role === 'USER') throw forbidden('Only an ADMIN may change this.');
    return payload;
  }

  function installation(id: string): { accessToken: string } {
    const found = installations.get(id);
    if (!found) throw notFound(`No installation ${id}.`);
    return found;
  }

  function resourceOf(installationId: string, id: string): Resource {
    const found = resources.get(id);
    if (!found || found.installationId !== installationId) {
      if (options.wrongStatusCodes) throw new Refusal(400, 'bad_request', `No resource ${id}.`);
      throw notFound(`No resource ${id}.`);
    }
    return found;
  }

  function statusOf(resource: Resource): string {
    if (resource.deleted) return 'uninstalled';
    if (options.neverReady) return 'pending';
    if (options.pendingFor !== undefined && Date.now() - resource.createdAt < options.pendingFor) return 'pending';
    return 'ready';
  }

  function wire(resource: Resource) {
    const { id, name, metadata } = resource;
    return { id, productId: FIXTURE_PRODUCT, name, metadata, status: statusOf(resource), billingPlan: PLANS.find((p) => p.id === resource.billingPlanId) };
  }

  function newSecrets(resourceId: string): Array<{ name: string; value: string }> {
    const password = randomBytes(12).toString('hex');
    issuedSecretValues.push(password);
    return [
      { name: 'DATABASE_URL', value: `postgres://fixture:${password}@db.fixture.test:5432/${resourceId}` },
      { name: 'DATABASE_PASSWORD', value: password },
    ];
  }

  function provision(installationId: string, call: Call): Answer {
    const key = call.headers['idempotency-key'];
    const replayKey = typeof key === 'string' && !options.ignoresIdempotencyKey ? `${installationId} ${key}` : undefined;
    const replay = replayKey === undefined ? undefined : answeredKeys.get(replayKey);
    if (replay) return replay;
    const { productId, name, metadata, billingPlanId } = call.body ?? {};
    if (productId !== FIXTURE_PRODUCT) throw invalid('productId', `must be ${FIXTURE_PRODUCT}`);
    if (typeof name !== 'string' || name === '') throw invalid('name', 'is required');
    if (!PLANS.some((p) => p.id === billingPlanId)) {
      if (options.wrongStatusCodes) throw notFound(`No plan ${String(billingPlanId)}.`);
      throw invalid('billingPlanId', 'is not a plan of this product');
    }
    const id = `res_${++resourceCounter}`;
    const resource: Resource = { id, installationId, createdAt: Date.now(), name, metadata: metadata ?? {}, billingPlanId, secrets: newSecrets(id), deleted: false };
    resources.set(id, resource);
    if (options.pendingFor !== undefined && !options.neverReady && !options.silentWhenReady) announceReady(resource, options.pendingFor + (options.readyEventDelayMs ?? 0));
    const secrets = options.secretsAsMap ? Object.fromEntries(resource.secrets.map((s) => [s.name, s.value])) : resource.secrets;
    const answer = { status: 200, body: options.omitsSecrets ? wire(resource) : { ...wire(resource), secrets } };
    if (replayKey !== undefined) answeredKeys.set(replayKey, answer);
    return answer;
  }

  /** A call to Vercel with the installation's access token from Upsert Installation. */
  async function callVercel(method: string, installationId: string, path: string, body: unknown): Promise<void> {
    const url = `${options.vercelUrl}/v1/installations/${installationId}${path}`;
    try {
      const accessToken = installation(installationId).accessToken;
      const response = await fetch(url, { method, headers: { authorization: `Bearer ${accessToken}`, 'content-type': 'application/json' }, body: JSON.stringify(body) });
      vercelCalls.push({ method, url, status: response.status });
    } catch (error) {
      vercelCalls.push({ method, url, error: error instanceof Refusal ? error.message : (error as Error).message });
    }
  }

  function rotate(installationId: string, resource: Resource): Answer {
    resource.secrets = newSecrets(resource.id);
    if (options.rotation !== 'async') return { status: 200, body: { sync: true, secrets: resource.secrets } };
    if (!options.neverPushes) setImmediate(() => void callVercel('PUT', installationId, `/resources/${resource.id}/secrets`, { secrets: resource.secrets, partial: false }));
    return { status: 202, body: { sync: false } };
  }

  /** Tells Vercel when a pending resource has become ready, so that it reads it again at once. */
  function announceReady(resource: Resource, afterMs: number): void {
    const timer = setTimeout(() => {
      readyTimers.delete(timer);
      if (!resource.deleted) void callVercel('POST', resource.installationId, '/events', { event: { type: 'resource.updated', productId: FIXTURE_PRODUCT, resourceId: resource.id } });
    }, afterMs);
    readyTimers.add(timer);
  }

  async function route(call: Call): Promise<Answer> {
    const [v1, family, id, sub, resourceId, action, verb] = call.segments;
    const shape = `${call.method} ${[v1, family, id && ':id', sub, resourceId && ':rid', action, verb].filter(Boolean).join('/')}`;
    if (shape === 'GET v1/products/:id/plans') {
      await authenticate(call, undefined);
      if (id !== FIXTURE_PRODUCT) throw notFound(`No product ${id}.`);
      return { status: 200, body: { plans: PLANS } };
    }
    if (v1 !== 'v1' || family !== 'installations' || id === undefined) throw notFound('No such route.');
    await authenticate(call, id);
    switch (shape) {
      case 'PUT v1/installations/:id': {
        const accessToken = call.body?.credentials?.access_token;
        if (typeof accessToken !== 'string' || accessToken === '') throw invalid('credentials.access_token', 'is required');
        installations.set(id, { accessToken });
        return { status: 204 };
      }
      case 'GET v1/installations/:id':
        installation(id);
        return { status: 200, body: {} };
      case 'DELETE v1/installations/:id':
        installation(id);
        for (const resource of resources.values()) if (resource.installationId === id) resource.deleted = true;
        installations.delete(id);
        return { status: 204 };
      case 'GET v1/installations/:id/plans':
        installation(id);
        return { status: 200, body: { plans: PLANS } };
      case 'POST v1/installations/:id/resources':
        installation(id);
        return provision(id, call);
      case 'GET v1/installations/:id/resources': {
        installation(id);
        const ids = call.query.get('ids')?.split(',');
        const listed = [...resources.values()].filter((r) => r.installationId === id && !r.deleted && (ids === undefined || ids.includes(r.id)));
        return { status: 200, body: { resources: listed.map(wire) } };
      }
    }
    if (resourceId === undefined || !RESOURCE_ROUTES.has(shape)) throw notFound('No such route.');
    installation(id);
    const resource = resourceOf(id, resourceId);
    switch (shape) {
      case 'GET v1/installations/:id/resources/:rid':
        return { status: 200, body: wire(resource) };
      case 'PATCH v1/installations/:id/resources/:rid': {
        const { name } = call.body ?? {};
        if (name !== undefined && (typeof name !== 'string' || name === '')) throw invalid('name', 'must be a non-empty string');
        if (name !== undefined) resource.name = name;
        return { status: 200, body: wire(resource) };
      }
      case 'DELETE v1/installations/:id/resources/:rid':
        resource.deleted = true;
        return { status: 204 };
      case 'POST v1/installations/:id/resources/:rid/secrets/rotate':
        return rotate(id, resource);
    }
    throw notFound('No such route.');
  }

  function errorBody(refusal: Refusal): unknown {
    if (options.nonStandardErrorBodies && refusal.status < 500) return { error: true, code: refusal.code };
    return { error: { code: refusal.code, message: refusal.message, ...(refusal.fields ? { fields: refusal.fields } : {}) } };
  }

  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', async () => {
      let answer: Answer;
      try {
        const text = Buffer.concat(chunks).toString('utf8');
        let body: unknown;
        try {
          body = text === '' ? undefined : JSON.parse(text);
        } catch {
          throw new Refusal(400, 'bad_request', 'The body is not JSON.');
        }
        const url = new URL(req.url ?? '/', 'http://fixture');
        const segments = url.pathname.split('/').filter(Boolean).map(decodeURIComponent);
        answer = await route({ method: req.method ?? 'GET', segments, query: url.searchParams, headers: req.headers, body });
      } catch (error) {
        answer = error instanceof Refusal
          ? { status: error.status, body: errorBody(error) }
          : { status: 500, body: { error: { code: 'internal_server_error', message: (error as Error).message } } };
      }
      if (answer.body === undefined) return res.writeHead(answer.status).end();
      res.writeHead(answer.status, { 'content-type': 'application/json' }).end(JSON.stringify(answer.body));
    });
  });
  server.listen(0, '127.0.0.1');
  await new Promise((resolve) => server.once('listening', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    issuedSecretValues,
    vercelCalls,
    close: async () => {
      for (const timer of readyTimers) clearTimeout(timer);
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}
