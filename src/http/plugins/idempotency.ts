import type { FastifyReply, FastifyRequest } from 'fastify';
import {
  completeClaim,
  deleteExpiredKey,
  deleteKeysCreatedBefore,
  findKey,
  insertClaim,
  releaseClaim,
  renewClaim,
  takeOverClaim,
  type KeyScope,
  type StoredResponse,
} from '../../db/idempotency-keys.js';
import {
  decideOnRecordedKey,
  IDEMPOTENCY_HEARTBEAT_MS,
  IDEMPOTENCY_KEY_TTL_MS,
  idempotencyKeyOf,
  keyInUseError,
  keyOfOtherCredentialError,
  keyReusedError,
  requestFingerprint,
} from '../../domain/idempotency.js';
import { newId } from '../../domain/ids.js';
import type { AnyFastify } from '../../any-fastify.js';
import type { AppContext } from '../../app-context.js';
import { isOwnApiRoute, MUTATING_METHODS } from '../own-api-route.js';

/** A request that sent an `Idempotency-Key`, from the moment it is recognised until it answers. */
interface KeyedRequest {
  readonly scope: KeyScope;
  /** The caller's token: the only credential its stored answer is replayed to. */
  readonly tokenId: string;
  readonly fingerprint: string;
  readonly method: string;
  readonly path: string;
  /** Set once this request holds the key's claim and runs. */
  claimId: string | null;
  heartbeat: NodeJS.Timeout | null;
  finished: boolean;
}

declare module 'fastify' {
  interface FastifyRequest {
    idempotency: KeyedRequest | null;
  }
}

/** Headers that belong to the answer itself and are replayed with it; the rest is per request. */
const REPLAYED_HEADERS = ['content-type', 'location', 'retry-after', 'allow', 'cache-control', 'content-language'];

/**
 * Answers that say "not now" rather than "this is the outcome": storing them would make the key
 * useless for the retry they ask for, so the claim is given back instead (as Stripe does for
 * requests that conflicted before they ran).
 */
const NOT_STORED = new Set([429, 503]);

/** How often keys older than 24 h are deleted; every replica sweeps, which is harmless. */
const SWEEP_INTERVAL_MS = 10 * 60 * 1000;

/**
 * Idempotency keys on every POST/PUT/PATCH/DELETE of Stockroom's API (docs/rules.md §5), with
 * Stripe's semantics: the first completed answer is stored and replayed with
 * `Idempotent-Replayed: true`; the same key with another request is 422; while the first runs, 409.
 *
 * - The key is scoped to the token's user and the team the request acts for, so it needs the auth
 *   hook's `request.actor`: a 401 has no scope and is never stored. Its answer is replayed only to
 *   the token that sent it; another token of the same user gets 422 (docs/tokens-and-scopes.md).
 * - Every stored body is sealed with the secret box: some answers carry a minted bearer token,
 *   which must not sit in plaintext for 24 hours. One rule for all answers, so none is missed.
 * - The claim is taken after authentication, team, role and body validation, so those refusals
 *   (401/403/400) are not stored and a corrected request may reuse the key. Everything the
 *   handler answers is stored, 4xx and 5xx included, except 429 and 503.
 * - The claim is a row insert under the key's primary key, so replicas on one PostgreSQL agree on
 *   who runs. A claim whose process died may be taken over once its lease ran out.
 * - Routes without authentication (health, partner callbacks) and the reference partner mounted
 *   under `/partners/` are left alone: the partner receives Stockroom's own keys as a provider and
 *   has its own idempotency.
 */
export function registerIdempotency(app: AnyFastify, ctx: AppContext): void {
  app.decorateRequest('idempotency', null);

  // The fingerprint is taken before validation, which drops unknown fields and applies defaults:
  // the caller's body as sent is what must match.
  app.addHook('preValidation', async (request) => {
    if (!MUTATING_METHODS.has(request.method) || !isOwnApiRoute(request)) return;
    const key = idempotencyKeyOf(request.headers['idempotency-key']);
    if (key === null || !request.actor) return;
    const path = request.url.split('?')[0] ?? '/';
    request.idempotency = {
      scope: { userId: request.actor.user.id, teamScope: request.team?.id ?? '', key },
      tokenId: request.actor.token.id,
      fingerprint: requestFingerprint(request.method, path, request.query, request.body),
      method: request.method,
      path,
      claimId: null,
      heartbeat: null,
      finished: false,
    };
  });

  app.addHook('preHandler', async (request, reply) => {
    const keyed = request.idempotency;
    if (!keyed) return;
    const stored = await claimOrReplay(ctx, keyed, request);
    if (stored) return replay(ctx, reply, keyed.scope, stored);
    keyed.heartbeat = setInterval(() => {
      if (keyed.claimId === null) return;
      renewClaim(ctx.db, keyed.scope, keyed.claimId, ctx.now()).catch((error: unknown) => request.log.warn({ err: error }, 'idempotency claim renewal failed'));
    }, IDEMPOTENCY_HEARTBEAT_MS);
    keyed.heartbeat.unref();
  });

  // onSend, not onResponse: the answer is stored before the caller can read it, so a retry sent
  // the moment the answer arrives finds it and never sees "in progress".
  app.addHook('onSend', async (request, reply, payload) => {
    const keyed = request.idempotency;
    if (!keyed || keyed.claimId === null || keyed.finished) return payload;
    await finish(ctx, keyed, request, reply, payload);
    return payload;
  });

  // A request that never reached onSend (a hijacked reply, a failing hook) gives its key back.
  app.addHook('onResponse', async (request) => {
    const keyed = request.idempotency;
    if (!keyed || keyed.claimId === null || keyed.finished) return;
    keyed.finished = true;
    stopHeartbeat(keyed);
    await releaseClaim(ctx.db, keyed.scope, keyed.claimId).catch((error: unknown) => request.log.warn({ err: error }, 'idempotency claim release failed'));
  });

  let sweeper: NodeJS.Timeout | undefined;
  let sweeping: Promise<unknown> = Promise.resolve();
  app.addHook('onReady', async () => {
    sweeper = setInterval(() => {
      sweeping = sweepExpiredIdempotencyKeys(ctx).catch((error: unknown) => ctx.logger.warn({ err: error }, 'idempotency key sweep failed'));
    }, SWEEP_INTERVAL_MS);
    sweeper.unref();
  });
  app.addHook('onClose', async () => {
    clearInterval(sweeper);
    await sweeping;
  });
}

/** Deletes keys older than 24 h (docs/rules.md §5); returns how many went. */
export function sweepExpiredIdempotencyKeys(ctx: Pick<AppContext, 'db' | 'now'>): Promise<number> {
  return deleteKeysCreatedBefore(ctx.db, ctx.now() - IDEMPOTENCY_KEY_TTL_MS);
}

/**
 * Claims the key for this request, or finds the answer to replay. Throws 422 for a key used by
 * another request and 409 while the first still runs. Loops only when the recorded row changed
 * under us (expired and deleted, released, or taken over by another request first).
 */
async function claimOrReplay(ctx: AppContext, keyed: KeyedRequest, request: FastifyRequest): Promise<StoredResponse | null> {
  const { scope } = keyed;
  for (let attempt = 0; attempt < 4; attempt++) {
    const claimId = newId('claim');
    const now = ctx.now();
    if (await insertClaim(ctx.db, scope, { tokenId: keyed.tokenId, fingerprint: keyed.fingerprint, method: keyed.method, path: keyed.path, claimId, now })) {
      keyed.claimId = claimId;
      return null;
    }
    const record = await findKey(ctx.db, scope);
    if (!record) continue;
    switch (decideOnRecordedKey(record, keyed.fingerprint, keyed.tokenId, now)) {
      case 'expired':
        await deleteExpiredKey(ctx.db, scope, record.createdAt);
        continue;
      case 'other_credential':
        throw keyOfOtherCredentialError(scope.key);
      case 'reused':
        throw keyReusedError(scope.key, record);
      case 'replay':
        if (record.response) return record.response;
        continue;
      case 'in_use':
        throw keyInUseError(scope.key);
      case 'take_over':
        if (await takeOverClaim(ctx.db, scope, record.claimId, claimId, now)) {
          request.log.warn({ idempotencyKey: scope.key, previousClaim: record.claimId }, 'took over an idempotency key whose request stopped answering');
          keyed.claimId = claimId;
          return null;
        }
        continue;
    }
  }
  // The key kept changing hands between our reads: someone else is working on it.
  throw keyInUseError(scope.key);
}

/**
 * What a stored answer is bound to when sealed: its key's row, so that a sealed answer copied into
 * another key's row (another user's, say) does not open there.
 */
export function storedAnswerContext(scope: KeyScope): string {
  return `idempotency_keys.response_body:${JSON.stringify([scope.userId, scope.teamScope, scope.key])}`;
}

function replay(ctx: AppContext, reply: FastifyReply, scope: KeyScope, stored: StoredResponse): FastifyReply {
  const body = ctx.secretBox.open(stored.sealedBody, storedAnswerContext(scope));
  void reply.code(stored.statusCode).headers(stored.headers).header('idempotent-replayed', 'true');
  return reply.send(body === '' ? undefined : body);
}

async function finish(ctx: AppContext, keyed: KeyedRequest, request: FastifyRequest, reply: FastifyReply, payload: unknown): Promise<void> {
  keyed.finished = true;
  stopHeartbeat(keyed);
  const claimId = keyed.claimId as string;
  const body = payloadText(payload);
  try {
    if (NOT_STORED.has(reply.statusCode) || body === null) {
      await releaseClaim(ctx.db, keyed.scope, claimId);
      return;
    }
    const stored = await completeClaim(ctx.db, keyed.scope, claimId, { statusCode: reply.statusCode, headers: replayedHeaders(reply), sealedBody: ctx.secretBox.seal(body, storedAnswerContext(keyed.scope)) }, ctx.now());
    if (!stored) request.log.warn({ idempotencyKey: keyed.scope.key }, 'idempotency claim was taken over before this request answered; its answer is not stored');
  } catch (error) {
    // The answer is already decided; failing it now would not undo the work. The claim stays
    // unanswered and a retry may take it over once the lease runs out.
    request.log.error({ err: error, idempotencyKey: keyed.scope.key }, 'storing the answer of an idempotency key failed');
  }
}

/** The body exactly as it goes out, or null for one that cannot be stored (a stream). */
function payloadText(payload: unknown): string | null {
  if (payload === undefined || payload === null) return '';
  if (typeof payload === 'string') return payload;
  if (Buffer.isBuffer(payload)) return payload.toString('utf8');
  return null;
}

function replayedHeaders(reply: FastifyReply): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const name of REPLAYED_HEADERS) {
    const value = reply.getHeader(name);
    if (value !== undefined) headers[name] = Array.isArray(value) ? value.join(', ') : String(value);
  }
  return headers;
}

function stopHeartbeat(keyed: KeyedRequest): void {
  if (keyed.heartbeat) clearInterval(keyed.heartbeat);
  keyed.heartbeat = null;
}
