import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { TestContext } from 'node:test';
import type { Kysely } from 'kysely';
import { DEFAULT_OUTFILE, ROOT, staleness } from '../../scripts/build-inputs.mjs';
import { loadConfig } from '../../src/config.js';
import { createSecretBox, type SecretBox } from '../../src/crypto/secret-box.js';
import { openDatabase } from '../../src/db/database.js';
import type { DB } from '../../src/db/schema.js';
import { createTestDatabase, type TestDatabase, type TestDialect } from './databases.js';
import { OWNER_TOKEN, send, type ApiServer } from './stockroom.js';

/**
 * Stockroom as people run it: the bundle `npm start` runs (dist/stockroom.mjs, which `npm test`
 * builds first through its `pretest` script), started as a child process. Every test that starts
 * a server process starts this one, so what the tests prove is what people start.
 */

/** The checkout's bundle; the process runs in the checkout, as `npm start` does. */
export const BUNDLE = DEFAULT_OUTFILE;

let checked = false;

/** Fails with what to do when the bundle or the console beside it is missing or older than src/. */
export function assertFreshBuild(): void {
  if (checked) return;
  const why = staleness(BUNDLE);
  assert.ok(
    why === undefined,
    `The build the tests start is not usable: ${why}.\nRun \`npm run build\` first (\`npm test\` does, through its pretest script), then run the tests again.`,
  );
  checked = true;
}

/** A running bundle process and what it printed so far. */
export interface BuiltServer {
  /** Where it listens, from its "Stockroom listening on" line. */
  readonly url: string;
  readonly child: ChildProcess;
  /** stdout and stderr together. */
  output(): string;
  /** Resolves once `pattern` occurs `count` times in the output; rejects if the process exits first. */
  waitForOutput(pattern: RegExp, count?: number, timeoutMs?: number): Promise<void>;
  /** Resolves with the exit code once the process has exited. */
  readonly exited: Promise<number | null>;
  /** SIGKILL: no shutdown hook, no finishing of requests in flight, like a machine losing power. */
  kill(): Promise<void>;
  /** SIGTERM, the way a supervisor stops it; resolves with the exit code. */
  stop(): Promise<number | null>;
}

export interface StartOptions {
  /** How long to wait for the listening line; 30 s by default (the machine is shared). */
  readonly timeoutMs?: number;
  /** Keep at most this many characters of output (busy processes log a lot); all by default. */
  readonly maxOutput?: number;
  /** Another copy of the bundle to run (a test of how it behaves elsewhere); BUNDLE by default. */
  readonly bundle?: string;
  /** Node options before the bundle, e.g. `['--import', 'tsx', '--import', './test/helpers/failing-wal-sync.ts']`. */
  readonly nodeArgs?: readonly string[];
  /** The line that says it listens, its URL in group 1; Stockroom's by default. */
  readonly listening?: RegExp;
}

/**
 * Starts dist/stockroom.mjs with exactly `env` (pass `{ ...process.env, ... }` to inherit; set
 * PORT, usually '0'), waits until it listens and returns its URL. The process is killed when the
 * test `t` ends, if it is still running; with `t` null (a suite's `before` hook has no test
 * context) the caller stops it.
 */
export async function startBuiltServer(t: TestContext | null, env: NodeJS.ProcessEnv, options: StartOptions = {}): Promise<BuiltServer> {
  assertFreshBuild();
  // One process per server unless the test says otherwise (test/http/workers.test.ts does): with
  // PostgreSQL the default would fork a worker per core, so a kill would hit the primary rather
  // than the process doing the work, and every suite would start twice the processes.
  const runEnv = env.STOCKROOM_WORKERS === undefined ? { ...env, STOCKROOM_WORKERS: '1' } : env;
  const child = spawn(process.execPath, [...(options.nodeArgs ?? []), options.bundle ?? BUNDLE], { cwd: ROOT, env: runEnv, stdio: ['ignore', 'pipe', 'pipe'] });
  return watch(t, child, options);
}

/** Follows the output of a started Stockroom process (the bundle, or `npm start`) until it listens. */
export async function watch(t: TestContext | null, child: ChildProcess, options: StartOptions = {}): Promise<BuiltServer> {
  const maxOutput = options.maxOutput ?? Infinity;
  let output = '';
  let exited = false;
  const waiters = new Set<() => void>();
  const onData = (chunk: Buffer) => {
    if (output.length < maxOutput) output += chunk.toString();
    for (const wake of waiters) wake();
  };
  child.stdout?.on('data', onData);
  child.stderr?.on('data', onData);
  const exit = new Promise<number | null>((resolve) =>
    child.once('exit', (code) => {
      exited = true;
      for (const wake of waiters) wake();
      resolve(code);
    }),
  );
  t?.after(() => {
    if (!exited) child.kill('SIGKILL');
  });

  const waitForOutput = (pattern: RegExp, count = 1, timeoutMs = 30_000) =>
    new Promise<void>((resolve, reject) => {
      const global = new RegExp(pattern.source, `${pattern.flags.replace('g', '')}g`);
      const check = () => {
        if ((output.match(global)?.length ?? 0) >= count) return done(resolve);
        if (exited) return done(() => reject(new Error(`the process exited before printing ${pattern} ×${count}:\n${output}`)));
      };
      const timer = setTimeout(() => done(() => reject(new Error(`no ${pattern} ×${count} within ${timeoutMs} ms:\n${output}`))), timeoutMs);
      const done = (finish: () => void) => {
        clearTimeout(timer);
        waiters.delete(check);
        finish();
      };
      waiters.add(check);
      check();
    });

  const listening = options.listening ?? /Stockroom listening on (http:\/\/[^"\s]+)"/;
  await waitForOutput(listening, 1, options.timeoutMs ?? 30_000);
  const url = listening.exec(output)?.[1];
  assert.ok(url, output);
  return {
    url,
    child,
    output: () => output,
    waitForOutput,
    exited: exit,
    async kill() {
      if (exited) return;
      child.kill('SIGKILL');
      await exit;
    },
    async stop() {
      if (!exited) child.kill('SIGTERM');
      return exit;
    },
  };
}

/**
 * The database a Stockroom process writes, opened from the test to read back what was stored,
 * and the key of its secrets. Open it once the process has made the database (and, on SQLite,
 * its key), i.e. after it listens.
 */
export function openStockroomDatabase(t: TestContext, database: TestDatabase): { db: Kysely<DB>; secretBox: SecretBox } {
  const config = loadConfig({ ...database.env });
  const opened = openDatabase(config.database);
  t.after(() => opened.destroy());
  const key = config.encryptionKey ?? readFileSync(join(database.dataDir, 'encryption.key'), 'utf8').trim();
  return { db: opened.db, secretBox: createSecretBox(key) };
}

/**
 * The spawned counterpart of `startTestServer` (helpers/stockroom.ts) for the end-to-end suites
 * (browser, CLI): the bundle on a fresh database of the dialect, with the owner token. The
 * database is read through `stockroom.ctx.db`, the same path as on an in-process server, so a
 * suite moves between the two by changing how it starts its server.
 */
export interface BuiltTestServer extends ApiServer {
  readonly database: TestDatabase;
  readonly process: BuiltServer;
  readonly stockroom: { readonly ctx: { readonly db: Kysely<DB>; readonly secretBox: SecretBox } };
}

export async function startBuiltTestServer(
  t: TestContext,
  dialect: TestDialect,
  options: { env?: Record<string, string>; database?: TestDatabase } = {},
): Promise<BuiltTestServer> {
  const database = options.database ?? (await createTestDatabase(dialect));
  // As in startTestServer: the reference partner's jobs run only when a test asks.
  const env: NodeJS.ProcessEnv = { ...process.env, PORT: '0', LOG_LEVEL: 'info', STOCKROOM_TOKEN: OWNER_TOKEN, STOCKROOM_REFERENCE_JOB_INTERVAL_MS: '0', ...database.env, ...options.env };
  // A tester's own fault-injection setting must not reach the server.
  delete env.STOCKROOM_PAUSE_AT;
  const server = await startBuiltServer(t, env);
  const { db, secretBox } = openStockroomDatabase(t, database);
  // Registered last, so it runs after the process is killed and the test's connection closed.
  if (!options.database) t.after(() => database.drop());
  return {
    url: server.url,
    token: OWNER_TOKEN,
    database,
    process: server,
    stockroom: { ctx: { db, secretBox } },
    request: (method, path, opts = {}) => send(server.url, method, path, opts),
  };
}
