import { createHash } from 'node:crypto';
import { ApiError } from '../errors.js';

/** How long a key and its answer are kept (docs/rules.md §5): 24 hours. */
export const IDEMPOTENCY_KEY_TTL_MS = 24 * 60 * 60 * 1000;

/**
 * How long a claim may go without a heartbeat before another request may take it over. A request
 * in flight renews its claim every `IDEMPOTENCY_HEARTBEAT_MS`, so only a claim whose process died
 * (crash, SIGKILL, lost machine) falls silent for this long. Replicas compare their own clocks with
 * the heartbeat another wrote, so clocks may disagree by up to lease − heartbeat (40 s) safely.
 */
export const IDEMPOTENCY_LEASE_MS = 60_000;
export const IDEMPOTENCY_HEARTBEAT_MS = IDEMPOTENCY_LEASE_MS / 3;

/** Seconds a caller is told to wait (`Retry-After`) while the first request with its key runs. */
export const IN_USE_RETRY_AFTER_SECONDS = 1;

const MAX_KEY_LENGTH = 255;

/**
 * The request's `Idempotency-Key`, or null when it sent none. A key outside 1–255 characters is
 * 400 `bad_request` naming the header. A repeated header arrives joined with ", " and counts as
 * one key, as Node reads it.
 */
export function idempotencyKeyOf(header: string | string[] | undefined): string | null {
  if (header === undefined) return null;
  const key = Array.isArray(header) ? header.join(', ') : header;
  if (key.length < 1 || key.length > MAX_KEY_LENGTH) {
    throw new ApiError('bad_request', `Invalid request: \`Idempotency-Key\` must be 1 to ${MAX_KEY_LENGTH} characters.`, { param: 'Idempotency-Key' });
  }
  return key;
}

/**
 * What makes two requests "the same request" for a key: method, path, query and body. Query and
 * body are compared as canonical JSON, so key order and whitespace do not matter but every value
 * does, unknown fields included.
 */
export function requestFingerprint(method: string, path: string, query: unknown, body: unknown): string {
  return createHash('sha256')
    .update(`${method.toUpperCase()} ${path}\n${canonicalJson(query ?? {})}\n${canonicalJson(body ?? null)}`)
    .digest('hex');
}

/** JSON with object keys sorted and undefined members dropped, so equal values hash equally. */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map((v) => (v === undefined ? 'null' : canonicalJson(v))).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}

/** A key as another request left it: the claim, and the answer once there is one. */
export interface KeyRecord {
  readonly fingerprint: string;
  readonly method: string;
  readonly path: string;
  readonly claimId: string;
  /** The token that made the request; null on keys recorded before tokens were (never matches). */
  readonly tokenId: string | null;
  /** The claim's last heartbeat, epoch ms. */
  readonly lockedAt: number;
  /** Null while the first request still runs. */
  readonly statusCode: number | null;
  readonly createdAt: number;
}

/**
 * What a request does with a key that is already recorded:
 * - `expired`: older than 24 h; forget it and claim the key afresh;
 * - `other_credential`: another token made the request; its answer is not this caller's to see,
 *   422 `idempotency_key_reused` (issue 13 §4);
 * - `reused`: the key belongs to another request, 422 `idempotency_key_reused`;
 * - `replay`: send the stored answer;
 * - `in_use`: the first request still runs, 409 `idempotency_key_in_use`;
 * - `take_over`: the first request's process died (its claim is older than the lease); run it.
 */
export type KeyDecision = 'expired' | 'other_credential' | 'reused' | 'replay' | 'in_use' | 'take_over';

/**
 * `tokenId` is the caller's token. The credential is the token itself, not "the same user with the
 * same scope": two tokens of one scope may differ in lifetime, and a replay must not hand a
 * short-lived token the answer (say, a token without expiry) that only a longer-lived one could get.
 */
export function decideOnRecordedKey(record: KeyRecord, fingerprint: string, tokenId: string, now: number): KeyDecision {
  if (record.createdAt <= now - IDEMPOTENCY_KEY_TTL_MS) return 'expired';
  // Checked first, so another token learns nothing of the request, not even whether it differed.
  if (record.tokenId !== tokenId) return 'other_credential';
  // A different request is refused even while the first runs: replaying or waiting would hide
  // the caller's mistake.
  if (record.fingerprint !== fingerprint) return 'reused';
  if (record.statusCode !== null) return 'replay';
  return record.lockedAt > now - IDEMPOTENCY_LEASE_MS ? 'in_use' : 'take_over';
}

export function keyReusedError(key: string, record: KeyRecord): ApiError {
  return new ApiError(
    'idempotency_key_reused',
    `The Idempotency-Key "${key}" was already used for ${record.method} ${record.path} with a different request; use a new key for a new request.`,
    { param: 'Idempotency-Key' },
  );
}

export function keyOfOtherCredentialError(key: string): ApiError {
  return new ApiError(
    'idempotency_key_reused',
    `The Idempotency-Key "${key}" was already used by another token; an answer is replayed only to the token that made the request, so use a new key.`,
    { param: 'Idempotency-Key' },
  );
}

export function keyInUseError(key: string): ApiError {
  return new ApiError(
    'idempotency_key_in_use',
    `A request with the Idempotency-Key "${key}" is still in progress; retry after it has answered.`,
    {},
    { 'retry-after': String(IN_USE_RETRY_AFTER_SECONDS) },
  );
}
