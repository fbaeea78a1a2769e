import { createHash } from 'node:crypto';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Kysely } from 'kysely';
import { isUniqueViolation } from '../../db/errors.js';
import { PartnerError, validationError } from './errors.js';
import { deleteStoredAnswersBefore, findStoredAnswer, insertStoredAnswer } from './idempotency-store.js';
import type { PartnerContext } from './options.js';
import type { PartnerTables } from './tables.js';

/** How long an answer is kept for replay, like Stockroom's own keys (semantics.md §5). */
const KEY_TTL_MS = 24 * 60 * 60 * 1000;

/** One `Idempotency-Key`, scoped to the installation it was sent for. */
export interface IdempotencyScope {
  readonly installationId: string;
  readonly key: string;
  /** Method, path and body of the request, hashed. */
  readonly fingerprint: string;
}

/** An answer that can be sent now or replayed later. */
export interface Answer {
  readonly statusCode: number;
  readonly body: unknown;
}

/** The request's `Idempotency-Key` (1–255 characters), or null when it sent none. */
export function idempotencyScope(request: FastifyRequest, installationId: string): IdempotencyScope | null {
  const header = request.headers['idempotency-key'];
  if (header === undefined) return null;
  const key = Array.isArray(header) ? (header[0] ?? '') : header;
  if (key.length < 1 || key.length > 255) {
    throw validationError([{ key: 'Idempotency-Key', message: 'must be 1 to 255 characters' }]);
  }
  const path = request.url.split('?')[0] ?? '';
  const fingerprint = createHash('sha256')
    .update(`${request.method} ${path}\n${canonicalJson(request.body ?? null)}`)
    .digest('hex');
  return { installationId, key, fingerprint };
}

/**
 * The answer already given under this key, or null. The same key with another request is
 * refused rather than replayed, since replaying would hide the caller's mistake.
 */
export async function findReplay(ctx: PartnerContext, scope: IdempotencyScope): Promise<Answer | null> {
  const stored = await findStoredAnswer(ctx.db, ctx.secretBox, scope.installationId, scope.key, ctx.now() - KEY_TTL_MS);
  if (!stored) return null;
  if (stored.fingerprint !== scope.fingerprint) {
    throw new PartnerError('idempotency_key_reused', `The Idempotency-Key "${scope.key}" was already used with a different request.`);
  }
  return { statusCode: stored.statusCode, body: stored.body };
}

/**
 * Runs `work` in a transaction and records its answer under the key in that same transaction, so
 * a resource and the key that created it are stored together or not at all. Only answers that
 * changed something are recorded; a refused request leaves the key free for a corrected retry.
 * When a concurrent request (another replica, say) recorded the key first, its answer is
 * replayed and this one's work is rolled back.
 */
export async function answerOnce(
  ctx: PartnerContext,
  scope: IdempotencyScope | null,
  work: (trx: Kysely<PartnerTables>) => Promise<Answer>,
): Promise<{ answer: Answer; replayed: boolean }> {
  try {
    const answer = await ctx.db.transaction().execute(async (trx) => {
      const result = await work(trx);
      if (scope) {
        const now = ctx.now();
        await deleteStoredAnswersBefore(trx, scope.installationId, now - KEY_TTL_MS);
        await insertStoredAnswer(trx, ctx.secretBox, scope.installationId, scope.key, { fingerprint: scope.fingerprint, ...result }, now);
      }
      return result;
    });
    return { answer, replayed: false };
  } catch (error) {
    if (scope && isUniqueViolation(error)) {
      const replay = await findReplay(ctx, scope);
      if (replay) return { answer: replay, replayed: true };
    }
    throw error;
  }
}

/** Sends an answer, marking replays the way Stockroom marks its own. */
export function sendAnswer(reply: FastifyReply, answer: Answer, replayed: boolean): FastifyReply {
  if (replayed) void reply.header('idempotent-replayed', 'true');
  return reply.code(answer.statusCode).type('application/json; charset=utf-8').send(JSON.stringify(answer.body));
}

/** JSON with object keys sorted, so equal bodies hash equally whatever their key order. */
function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}
