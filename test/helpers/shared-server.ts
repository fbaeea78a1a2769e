import { after, before, type TestContext } from 'node:test';
import type { TestDialect } from './databases.js';
import { startTestServer, type TestServer } from './stockroom.js';

type SharedServerOptions = Omit<NonNullable<Parameters<typeof startTestServer>[2]>, 'database'>;

/**
 * One Stockroom for every test of the enclosing `describe`: started in its `before`, stopped and its
 * database dropped in its `after`. Starting a server (a database, a signing key, the bootstrap
 * integration) costs a second or two; tests that only add their own rows need not pay it each.
 *
 * Call it in the `describe` body; use the getter inside tests. Tests sharing a server must not change
 * what others see: no env-driven settings, no clock moves, no dropped tables, no counts over a whole
 * table or reliance on an empty database. Such a test keeps `startTestServer`. The tests of a describe
 * run one after another (node's default), so a before/after difference within one test is its own.
 */
export function useSharedServer(dialect: TestDialect, options: SharedServerOptions = {}): () => TestServer {
  let server: TestServer | undefined;
  const cleanups: Array<() => unknown> = [];
  // The hooks of a describe get no TestContext with `after`; startTestServer only needs that one method.
  const owner: Pick<TestContext, 'after'> = { after: (fn) => void cleanups.push(fn as () => unknown) };
  before(async () => {
    server = await startTestServer(owner, dialect, options);
  });
  after(async () => {
    // Last registered first: stop the server before its database goes.
    for (const cleanup of cleanups.reverse()) await cleanup();
  });
  return () => {
    if (!server) throw new Error('the shared server is not started: use the getter inside a test, not in the describe body');
    return server;
  };
}
