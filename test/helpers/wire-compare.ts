import assert from 'node:assert/strict';
import { HTTPClient } from '@vercel/sdk/lib/http.js';

/**
 * The SDK silently fills a missing string, number or boolean with "", 0 or false
 * (vercel-contract.md §1.4). To prove Stockroom sent every field, compare each value the SDK
 * parsed with the wire JSON it parsed it from: every parsed leaf must exist on the wire.
 */
export function assertParsedFromWire(parsed: unknown, wire: unknown, path = '$'): void {
  if (parsed === undefined) return;
  if (parsed === null || typeof parsed !== 'object') {
    assert.notEqual(wire, undefined, `${path}: the SDK has ${JSON.stringify(parsed)} but the wire has no value (zero-filled)`);
    if (wire !== null && typeof wire !== 'object') assert.equal(String(parsed), String(wire), `${path} differs`);
    return;
  }
  if (parsed instanceof Date) return;
  assert.ok(wire !== undefined && wire !== null, `${path}: the SDK has an object but the wire has none`);
  if (Array.isArray(parsed)) {
    assert.ok(Array.isArray(wire), `${path}: array expected on the wire`);
    assert.equal(parsed.length, (wire as unknown[]).length, `${path}: array length`);
    parsed.forEach((item, i) => assertParsedFromWire(item, (wire as unknown[])[i], `${path}[${i}]`));
    return;
  }
  const wireObject = wire as Record<string, unknown>;
  const byCamel = new Map(Object.keys(wireObject).map((k) => [camelize(k), k]));
  for (const [key, value] of Object.entries(parsed as Record<string, unknown>)) {
    if (key === 'additionalProperties') continue; // the SDK's bucket for extra keys
    const wireKey = key in wireObject ? key : byCamel.get(key);
    if (value === undefined) continue;
    assert.ok(wireKey !== undefined, `${path}.${key}: the SDK has ${JSON.stringify(value)} but the wire has no such key (zero-filled)`);
    assertParsedFromWire(value, wireObject[wireKey], `${path}.${key}`);
  }
}

function camelize(key: string): string {
  // The SDK's renames: `access_token` → `accessToken`, `x-foo` → `xFoo`.
  return key.replace(/[:_-]([a-z])/g, (_m, c: string) => c.toUpperCase());
}

/** An SDK HTTP client that keeps the raw body of every response, newest last. */
export function recordingHttpClient(): { httpClient: HTTPClient; bodies: Array<{ url: string; status: number; body: string }> } {
  const bodies: Array<{ url: string; status: number; body: string }> = [];
  const httpClient = new HTTPClient();
  httpClient.addHook('response', async (response, request) => {
    bodies.push({ url: request.url, status: response.status, body: await response.clone().text() });
  });
  return { httpClient, bodies };
}

export function lastJson(bodies: Array<{ body: string }>): unknown {
  const last = bodies[bodies.length - 1];
  assert.ok(last, 'a response was recorded');
  return JSON.parse(last.body);
}
