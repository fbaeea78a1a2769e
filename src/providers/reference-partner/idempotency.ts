import type { Kysely } from 'kysely';
import { isUniqueViolation } from '../../db/errors.js';
import { PartnerError } from '../partner-kit/errors.js';
import type { Answer, IdempotencyScope } from '../partner-kit/idempotency.js';
import { deleteStoredAnswersBefore, findStoredAnswer, insertStoredAnswer } from './idempotency-store.js';
import type { PartnerContext } from './options.js';
import type { PartnerTables } from './tables.js';

/** How long an answer is kept for replay, like Stockroom's own keys (docs/rules.md §5). */
const KEY_TTL_MS = 24 * 60 * 60 * 1000;

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
