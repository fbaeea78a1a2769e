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
 * replayed and this one's work is rolled back. A key whose recorded answer has expired is free
 * again: its old row is swept and the work done anew.
 */
export async function answerOnce(
  ctx: PartnerContext,
  scope: IdempotencyScope | null,
  work: (trx: Kysely<PartnerTables>) => Promise<Answer>,
): Promise<{ answer: Answer; replayed: boolean }> {
  try {
    return { answer: await workAndRecord(ctx, scope, work), replayed: false };
  } catch (error) {
    if (!scope || !isUniqueViolation(error)) throw error;
    const replay = await findReplay(ctx, scope);
    if (replay) return { answer: replay, replayed: true };
    // The key's row is older than its time to live and was not swept yet: sweep now, then redo.
    await deleteStoredAnswersBefore(ctx.db, scope.installationId, ctx.now() - KEY_TTL_MS);
    try {
      return { answer: await workAndRecord(ctx, scope, work), replayed: false };
    } catch (again) {
      const replayAfterRace = isUniqueViolation(again) ? await findReplay(ctx, scope) : null;
      if (replayAfterRace) return { answer: replayAfterRace, replayed: true };
      throw again;
    }
  }
}

async function workAndRecord(ctx: PartnerContext, scope: IdempotencyScope | null, work: (trx: Kysely<PartnerTables>) => Promise<Answer>): Promise<Answer> {
  return ctx.db.transaction().execute(async (trx) => {
    const result = await work(trx);
    if (scope) {
      const now = ctx.now();
      if (sweepDue(ctx, scope.installationId, now)) await deleteStoredAnswersBefore(trx, scope.installationId, now - KEY_TTL_MS);
      await insertStoredAnswer(trx, ctx.secretBox, scope.installationId, scope.key, { fingerprint: scope.fingerprint, ...result }, now);
    }
    return result;
  });
}

/**
 * Expired answers are swept at most once a minute per installation instead of with every
 * recorded answer, a statement fewer on every provision (issue 17): an expired row is never
 * replayed (`findStoredAnswer` reads only live ones), and one still holding its key when the key
 * comes back is swept by `answerOnce` before the work is redone.
 */
const SWEEP_EVERY_MS = 60_000;
/** Bounds memory: past this many installations the record starts over (a sweep each, once). */
const MAX_SWEEP_RECORDS = 10_000;
const lastSweeps = new WeakMap<PartnerContext, Map<string, number>>();

function sweepDue(ctx: PartnerContext, installationId: string, now: number): boolean {
  let sweeps = lastSweeps.get(ctx);
  if (!sweeps) lastSweeps.set(ctx, (sweeps = new Map()));
  const last = sweeps.get(installationId);
  // A clock moved back (tests, or a corrected host clock) sweeps too.
  if (last !== undefined && now >= last && now - last < SWEEP_EVERY_MS) return false;
  if (sweeps.size >= MAX_SWEEP_RECORDS) sweeps.clear();
  sweeps.set(installationId, now);
  return true;
}
