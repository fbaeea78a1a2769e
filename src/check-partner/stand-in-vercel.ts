import { timingSafeEqual } from 'node:crypto';
import Fastify, { type FastifyInstance, type FastifyReply } from 'fastify';
import type { JWK } from 'jose';

/** A partner's Update Resource Secrets call, as it arrived. */
export interface SecretsPush {
  readonly installationId: string;
  readonly resourceId: string;
  /** The bearer token was the installation's access token. */
  readonly authorized: boolean;
  readonly body: unknown;
  readonly receivedAt: number;
}

/** A partner's Create Event call (e.g. `resource.updated` when a pending resource is ready). */
export interface PartnerEvent {
  readonly installationId: string;
  readonly authorized: boolean;
  readonly body: unknown;
  readonly receivedAt: number;
}

/**
 * The checker's own server: the JWKS the partner verifies tokens against, and the two Vercel
 * endpoints a partner calls back during the checked life (Update Resource Secrets after an
 * asynchronous rotation, Create Event when a resource becomes ready). Everything else is 404: the
 * checker plays Vercel only as far as the checks need.
 */
export interface StandInVercel {
  readonly url: string;
  /** Accepts `accessToken` as the bearer token of `installationId`'s callbacks. */
  trust(installationId: string, accessToken: string): void;
  readonly secretsPushes: readonly SecretsPush[];
  readonly events: readonly PartnerEvent[];
  /** The first push for the resource, or undefined after `timeoutMs` (or when `signal` aborts). */
  waitForSecretsPush(installationId: string, resourceId: string, timeoutMs: number, signal: AbortSignal): Promise<SecretsPush | undefined>;
  /** The first `resource.updated` event for the resource, or undefined after `timeoutMs`. */
  waitForResourceUpdated(installationId: string, resourceId: string, timeoutMs: number, signal: AbortSignal): Promise<PartnerEvent | undefined>;
  close(): Promise<void>;
}

export interface StandInVercelOptions {
  readonly port: number;
  readonly host: string;
  /** The URL the partner reaches this server at; default `http://<host>:<port>`. */
  readonly publicUrl?: string;
  readonly jwks: { readonly keys: readonly JWK[] };
}

const BEARER = /^Bearer\s+(\S+)$/i;

export async function startStandInVercel(options: StandInVercelOptions): Promise<StandInVercel> {
  const tokens = new Map<string, string>();
  const secretsPushes: SecretsPush[] = [];
  const events: PartnerEvent[] = [];
  const waiters = new Set<() => void>();
  const app: FastifyInstance = Fastify({ logger: false, bodyLimit: 1024 * 1024 });

  const authorized = (installationId: string, header: string | undefined): boolean => {
    const expected = tokens.get(installationId);
    const sent = BEARER.exec(header ?? '')?.[1];
    if (!expected || !sent || sent.length !== expected.length) return false;
    return timingSafeEqual(Buffer.from(sent), Buffer.from(expected));
  };
  const refuse = (reply: FastifyReply) =>
    reply.code(403).send({ error: { code: 'forbidden', message: "Send the installation's access token from Upsert Installation as the bearer token." } });

  const jwks = { keys: options.jwks.keys };
  app.get('/.well-known/jwks', async () => jwks);
  app.get('/.well-known/jwks.json', async () => jwks);

  type SecretsParams = { installationId: string; resourceId: string };
  const onSecrets = async (request: { params: SecretsParams; headers: { authorization?: string }; body: unknown }, reply: FastifyReply) => {
    const push = { installationId: request.params.installationId, resourceId: request.params.resourceId, authorized: authorized(request.params.installationId, request.headers.authorization), body: request.body ?? null, receivedAt: Date.now() };
    secretsPushes.push(push);
    for (const wake of waiters) wake();
    if (!push.authorized) return refuse(reply);
    return reply.code(201).send({});
  };
  for (const prefix of ['', '/api']) {
    app.put<{ Params: SecretsParams }>(`${prefix}/v1/installations/:installationId/resources/:resourceId/secrets`, onSecrets);
    app.put<{ Params: SecretsParams }>(`${prefix}/v1/installations/:installationId/products/:productIdOrSlug/resources/:resourceId/secrets`, onSecrets);
    app.post<{ Params: { installationId: string } }>(`${prefix}/v1/installations/:installationId/events`, async (request, reply) => {
      const event = { installationId: request.params.installationId, authorized: authorized(request.params.installationId, request.headers.authorization), body: request.body ?? null, receivedAt: Date.now() };
      events.push(event);
      for (const wake of waiters) wake();
      if (!event.authorized) return refuse(reply);
      return reply.code(201).send({});
    });
  }
  app.setNotFoundHandler((request, reply) =>
    reply.code(404).send({ error: { code: 'not_found', message: `stockroom check-partner does not serve ${request.method} ${request.url.split('?')[0]}; it plays Vercel only for the JWKS, Update Resource Secrets and Create Event.` } }),
  );

  /** Resolves with what `find` finds, waking on every callback, or undefined at the deadline. */
  async function waitFor<T>(find: () => T | undefined, timeoutMs: number, signal: AbortSignal): Promise<T | undefined> {
    const deadline = Date.now() + timeoutMs;
    while (!find() && Date.now() < deadline && !signal.aborted) {
      await new Promise<void>((resolve) => {
        const timer = setTimeout(done, Math.max(0, deadline - Date.now()));
        signal.addEventListener('abort', done, { once: true });
        waiters.add(done);
        function done() {
          clearTimeout(timer);
          waiters.delete(done);
          signal.removeEventListener('abort', done);
          resolve();
        }
      });
    }
    return find();
  }

  const listening = await app.listen({ port: options.port, host: options.host });
  const url = (options.publicUrl ?? listening).replace(/\/+$/, '');
  return {
    url,
    trust: (installationId, accessToken) => void tokens.set(installationId, accessToken),
    secretsPushes,
    events,
    waitForSecretsPush: (installationId, resourceId, timeoutMs, signal) =>
      waitFor(() => secretsPushes.find((p) => p.installationId === installationId && p.resourceId === resourceId), timeoutMs, signal),
    waitForResourceUpdated: (installationId, resourceId, timeoutMs, signal) =>
      waitFor(() => events.find((e) => e.installationId === installationId && isResourceUpdated(e.body, resourceId)), timeoutMs, signal),
    close: () => app.close(),
  };
}

function isResourceUpdated(body: unknown, resourceId: string): boolean {
  if (typeof body !== 'object' || body === null) return false;
  const event = (body as { event?: unknown }).event;
  return typeof event === 'object' && event !== null && (event as { type?: unknown }).type === 'resource.updated' && (event as { resourceId?: unknown }).resourceId === resourceId;
}
