import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { startTestServer } from '../helpers/stockroom.js';

const README = new URL('../../README.md', import.meta.url);
const METHODS = ['get', 'post', 'put', 'patch', 'delete'];

/** The `METHOD /path` of every table row in the README's "Endpoint reference" section. */
export function readmeRoutes(markdown: string): string[] {
  const start = markdown.indexOf('\n## Endpoint reference\n');
  assert.ok(start >= 0, 'README.md has no "## Endpoint reference" section');
  const end = markdown.indexOf('\n## ', start + 1);
  const section = markdown.slice(start, end < 0 ? undefined : end);
  const routes: string[] = [];
  for (const line of section.split('\n')) {
    const row = /^\| `(GET|POST|PUT|PATCH|DELETE) (\/[^`\s]*)` \|/.exec(line);
    if (row) routes.push(`${row[1]} ${row[2]}`);
  }
  return routes;
}

/**
 * The README's endpoint reference is a promise to users: every route the server serves is listed,
 * and nothing is listed that the server does not serve. `/openapi.json` is generated from the
 * route schemas themselves, so comparing the two keeps the README true as routes come and go.
 */
describe('the README endpoint reference', () => {
  it('lists exactly the routes of /openapi.json, each once', async (t) => {
    const server = await startTestServer(t, 'sqlite');
    const openapi = await server.request('GET', '/openapi.json', { token: null });
    assert.equal(openapi.status, 200);
    const served = new Set<string>();
    for (const [path, operations] of Object.entries<Record<string, unknown>>(openapi.body.paths)) {
      for (const method of Object.keys(operations)) if (METHODS.includes(method)) served.add(`${method.toUpperCase()} ${path}`);
    }
    const listed = readmeRoutes(readFileSync(README, 'utf8'));
    const duplicates = listed.filter((route, i) => listed.indexOf(route) !== i);
    assert.deepEqual(duplicates, [], 'routes listed twice in the README');
    const missing = [...served].filter((route) => !listed.includes(route)).sort();
    const extra = listed.filter((route) => !served.has(route)).sort();
    assert.deepEqual({ missingFromReadme: missing, notServed: extra }, { missingFromReadme: [], notServed: [] });
    t.diagnostic(`${listed.length} routes listed, ${served.size} served`);
  });
});
