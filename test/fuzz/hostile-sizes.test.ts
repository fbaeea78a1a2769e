import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import { dialectsToTest } from '../helpers/databases.js';
import { checkRequest, FUZZ_SEED, fuzzWorld, type FuzzRequest, type FuzzWorld, type Operation } from './fuzz-harness.js';
import { arbitraryFor, deepJsonText, jsonText } from './schema-arbitrary.js';

/**
 * Issue 13 §8, at every route rather than where a random draw lands: each body field in turn is
 * nested 4,000 deep or given 20 KB of text, each query parameter 12 KB of text or JSON nested 600
 * deep (what fits under Node's 16 KiB of request line and headers), and the whole body is nested
 * 5,000 deep. Never a 5xx, always Vercel's error shape with a request id, and no 4xx changes the
 * database (`checkRequest`).
 */
const DEEP = '\u0007deep:4000\u0007';
const LONG = 'x'.repeat(20_000);

function requestFor(w: FuzzWorld, op: Operation, parts: { query?: string; body?: string }): FuzzRequest {
  const path = op.path.replace(/\{([^}]+)\}/g, (_, name: string) => encodeURIComponent(String(w.hints[name]?.[0] ?? w.pathValues[0] ?? 'x')));
  const request: FuzzRequest = { method: op.method, operation: op, path, query: parts.query ?? '', auth: { kind: 'owner' }, contentType: 'application/json', body: parts.body, headers: {} };
  return request;
}

/** A body that passes the route's schema (most of the time), to start from. */
function validBody(w: FuzzWorld, op: Operation): Record<string, unknown> {
  const example = w.examples[`${op.method} ${op.path}`] ?? arbitraryFor(op.body ?? {}, w.hints);
  const [value] = fc.sample(example, { numRuns: 1, seed: FUZZ_SEED });
  return value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : {};
}

for (const dialect of dialectsToTest()) {
  describe(`deep and long values at every route (${dialect})`, () => {
    test('every body field, every query parameter: no 5xx, and no 4xx changes the database', async (t) => {
      const w = await fuzzWorld(t, dialect);
      let sent = 0;
      for (const op of w.operations) {
        const requests: FuzzRequest[] = [];
        for (const param of op.queryParams) {
          for (const value of ['q'.repeat(12_000), deepJsonText(600)]) requests.push(requestFor(w, op, { query: `?${encodeURIComponent(param.name)}=${encodeURIComponent(value)}` }));
        }
        if (op.method !== 'GET') {
          requests.push(requestFor(w, op, { body: deepJsonText(5_000) }));
          const base = validBody(w, op);
          const fields = new Set([...Object.keys(op.body?.properties ?? {}), ...Object.keys(base), 'metadata']);
          for (const field of fields) {
            for (const hostile of [DEEP, LONG, { region: 'iad1', long: LONG }]) requests.push(requestFor(w, op, { body: jsonText({ ...base, [field]: hostile }) }));
          }
        }
        for (const request of requests) {
          await checkRequest(w, request);
          sent += 1;
        }
      }
      assert.ok(sent > 300, `sent ${sent} requests`);
      const health = await w.server.request('GET', '/healthz', { token: null });
      assert.equal(health.status, 200, 'the server is still up');
    });
  });
}
