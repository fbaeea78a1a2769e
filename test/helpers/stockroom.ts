import type { TestContext } from 'node:test';
import pino from 'pino';
import { loadConfig } from '../../src/config.js';
import { createStockroom, type Stockroom } from '../../src/server.js';
import { createTestDatabase, type TestDatabase, type TestDialect } from './databases.js';

export const OWNER_TOKEN = 'srk_testOwnerToken0123456789abcdefghijklmnop';

/** A clock the test can move: `clock.now()` is what the server sees. */
export interface TestClock {
  now(): number;
  advance(ms: number): void;
}

export function createClock(): TestClock {
  let offset = 0;
  return { now: () => Date.now() + offset, advance: (ms) => void (offset += ms) };
}

/** A Stockroom a test talks to over HTTP: in-process (below) or a spawned process (built-server.ts). */
export interface ApiServer {
  readonly url: string;
  /** The bootstrap owner's token. */
  readonly token: string;
  request(method: string, path: string, options?: RequestOptions): Promise<TestResponse>;
}

export interface TestServer extends ApiServer {
  readonly stockroom: Stockroom;
  readonly database: TestDatabase;
  readonly clock: TestClock;
  /** Stops the server; the database stays until the test ends (for restarts). */
  stop(): Promise<void>;
}

export interface RequestOptions {
  /** A token, or null for no Authorization header; the owner's token by default. */
  token?: string | null;
  body?: unknown;
  /** A raw body, sent as is. */
  rawBody?: string;
  headers?: Record<string, string>;
}

export interface TestResponse {
  readonly status: number;
  readonly headers: Headers;
  readonly text: string;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  readonly body: any;
}

/**
 * Starts a real Stockroom on port 0 over a fresh database of the dialect, torn down when the test
 * ends. Tests talk to it over HTTP, then read its database through `stockroom.ctx.db`.
 */
export async function startTestServer(
  // Only its `after` is used, so a describe-level owner of clean-ups (shared-server.ts) fits too.
  t: Pick<TestContext, 'after'>,
  dialect: TestDialect,
  options: { env?: Record<string, string>; database?: TestDatabase; clock?: TestClock; onStorageFailure?: (error: Error) => void } = {},
): Promise<TestServer> {
  const database = options.database ?? (await createTestDatabase(dialect));
  if (!options.database) t.after(() => database.drop());
  const clock = options.clock ?? createClock();
  // The reference partner's own jobs (usage, monthly invoices) run only when a test asks: on a timer
  // they would bill stores of unrelated tests whenever the test clock crossed an hour or a month.
  const config = loadConfig({ PORT: '0', LOG_LEVEL: 'silent', STOCKROOM_TOKEN: OWNER_TOKEN, STOCKROOM_REFERENCE_JOB_INTERVAL_MS: '0', ...database.env, ...options.env });
  const stockroom = await createStockroom(config, {
    now: clock.now,
    logger: pino({ level: process.env.TEST_LOG_LEVEL ?? 'silent' }),
    ...(options.onStorageFailure ? { onStorageFailure: options.onStorageFailure } : {}),
  });
  const url = await stockroom.listen();
  let stopped = false;
  const stop = async () => {
    if (stopped) return;
    stopped = true;
    await stockroom.close();
  };
  t.after(stop);
  return {
    url,
    stockroom,
    database,
    clock,
    token: OWNER_TOKEN,
    stop,
    request: (method, path, opts = {}) => send(url, method, path, opts),
  };
}

export async function send(baseUrl: string, method: string, path: string, opts: RequestOptions = {}): Promise<TestResponse> {
  const headers: Record<string, string> = { ...opts.headers };
  const token = opts.token === undefined ? OWNER_TOKEN : opts.token;
  if (token !== null) headers.authorization = `Bearer ${token}`;
  let body: string | undefined = opts.rawBody;
  if (opts.body !== undefined) {
    body = JSON.stringify(opts.body);
    headers['content-type'] ??= 'application/json';
  }
  const response = await fetch(`${baseUrl}${path}`, { method, headers, body });
  const text = await response.text();
  let parsed: unknown = undefined;
  try {
    parsed = text === '' ? undefined : JSON.parse(text);
  } catch {
    parsed = undefined;
  }
  return { status: response.status, headers: response.headers, text, body: parsed };
}
