import { ApiError } from '../errors.js';

/**
 * Bounds on the JSON Stockroom accepts, checked at the edge before anything walks the value
 * (the idempotency fingerprint, metadata forwarding) or sends it on (a provider answers 431 to a
 * URL carrying 12 KB of metadata). Documented in docs/input-limits.md.
 */

/** Deepest nesting of a request body, a `metadata` object or a JSON query value. */
export const MAX_JSON_DEPTH = 32;
/** `metadata` (and `protocolSettings`) serialized as JSON, in bytes: sent on in a provider's query string. */
export const MAX_METADATA_BYTES = 8 * 1024;
/** Ids, handles and names a client chooses (`externalId`, `billingPlanId`…), in characters. */
export const MAX_ID_LENGTH = 256;

/**
 * Where `value` nests deeper than `max` levels (a scalar is depth 0, `{}` depth 1): the top-level
 * key under which it does (`''` for an array or the value itself), or undefined when it does not.
 * Iterative, so a hostile depth cannot overflow the stack here.
 */
export function tooDeepAt(value: unknown, max = MAX_JSON_DEPTH): string | undefined {
  const stack: Array<{ readonly value: unknown; readonly depth: number; readonly top: string | undefined }> = [{ value, depth: 0, top: undefined }];
  for (let next = stack.pop(); next !== undefined; next = stack.pop()) {
    if (next.value === null || typeof next.value !== 'object') continue;
    const depth = next.depth + 1;
    if (depth > max) return next.top ?? '';
    const isArray = Array.isArray(next.value);
    for (const [key, item] of Object.entries(next.value)) stack.push({ value: item, depth, top: next.top ?? (isArray ? '' : key) });
  }
  return undefined;
}

/** Refuses a metadata-like object that nests too deep or serializes larger than `MAX_METADATA_BYTES`. */
export function assertBoundedMetadata(param: string, value: unknown): void {
  if (value === undefined) return;
  if (tooDeepAt(value) !== undefined) {
    throw new ApiError('bad_request', `Invalid request: \`${param}\` nests deeper than ${MAX_JSON_DEPTH} levels.`, { param });
  }
  if (Buffer.byteLength(JSON.stringify(value), 'utf8') > MAX_METADATA_BYTES) {
    throw new ApiError('bad_request', `Invalid request: \`${param}\` is larger than ${MAX_METADATA_BYTES} bytes as JSON.`, { param });
  }
}
