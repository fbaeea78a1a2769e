import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { readdirSync, readFileSync } from 'node:fs';
import { request } from 'node:http';
import { describe, test, type TestContext } from 'node:test';
import { BUNDLE, assertFreshBuild, openStockroomDatabase, startBuiltServer, type BuiltServer } from '../helpers/built-server.js';
import { createTestDatabase, NO_POSTGRES } from '../helpers/databases.js';
import { eventually } from '../helpers/eventually.js';
import { OWNER_TOKEN } from '../helpers/stockroom.js';
import { ROOT } from '../../scripts/build-inputs.mjs';

/**
 * `STOCKROOM_WORKERS` (docs/workers.md): the bundle as `npm start` runs it, several server
 * processes on one port over one PostgreSQL; and SQLite, which allows only one.
 */

/** The pids whose parent is `pid` (Linux /proc). */
function childrenOf(pid: number): number[] {
  return readdirSync('/proc')
    .filter((name) => /^\d+$/.test(name))
    .filter((name) => {
      try {
        const stat = readFileSync(`/proc/${name}/stat`, 'utf8');
        return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]) === pid;
      } catch {
        return false;
      }
    })
    .map(Number);
}

function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** GET /v2/user on a connection of its own, so that the primary hands each to a worker in turn. */
async function getUser(url: string): Promise<{ status: number; body: any }> {
  const req = request(`${url}/v2/user`, { agent: false, headers: { authorization: `Bearer ${OWNER_TOKEN}`, connection: 'close' } });
  req.end();
  const [res] = (await once(req, 'response')) as [import('node:http').IncomingMessage];
  let text = '';
  for await (const chunk of res) text += String(chunk);
  return { status: res.statusCode ?? 0, body: JSON.parse(text) };
}

/** A request on a connection of its own (the primary hands each connection to a worker in turn). */
async function callAlone(url: string, method: string, path: string, token: string, body?: unknown): Promise<{ status: number; body: any }> {
  const payload = body === undefined ? undefined : JSON.stringify(body);
  const req = request(`${url}${path}`, { method, agent: false, headers: { authorization: `Bearer ${token}`, connection: 'close', ...(payload ? { 'content-type': 'application/json' } : {}) } });
  req.end(payload);
  const [res] = (await once(req, 'response')) as [import('node:http').IncomingMessage];
  let text = '';
  for await (const chunk of res) text += String(chunk);
  return { status: res.statusCode ?? 0, body: text === '' ? null : JSON.parse(text) };
}

/** The pids that logged an answered request of `GET /v2/user`. */
function answeringPids(server: BuiltServer): Set<number> {
  const pids = new Set<number>();
  for (const line of server.output().split('\n')) {
    if (!line.includes('"url":"/v2/user"') || !line.includes('"status":200')) continue;
    pids.add((JSON.parse(line) as { pid: number }).pid);
  }
  return pids;
}

/** The bundle with STOCKROOM_WORKERS=2 on a fresh PostgreSQL database, once both workers run. */
async function startTwoWorkers(t: TestContext) {
  const database = await createTestDatabase('postgres');
  t.after(() => database.drop());
  const env = { ...process.env, ...database.env, PORT: '0', STOCKROOM_TOKEN: OWNER_TOKEN, LOG_LEVEL: 'info', STOCKROOM_WORKERS: '2' };
  const server = await startBuiltServer(t, env);
  const primary = server.child.pid as number;
  const workers = await eventually('two workers', () => childrenOf(primary).length === 2 && childrenOf(primary));
  return { database, server, primary, workers };
}

describe('STOCKROOM_WORKERS', () => {
  test('PostgreSQL, 2 workers: both answer on the one port, bootstrap ran once, SIGTERM ends all', { skip: NO_POSTGRES }, async (t) => {
    const { database, server, primary, workers } = await startTwoWorkers(t);
    await server.waitForOutput(/Stockroom listening on/, 2);

    const userIds = new Set<string>();
    await eventually('both workers answered', async () => {
      const answer = await getUser(server.url);
      assert.equal(answer.status, 200);
      userIds.add(answer.body.user.id);
      const pids = answeringPids(server);
      return workers.every((pid) => pids.has(pid));
    });
    assert.equal(userIds.size, 1, 'every worker knows the one owner');
    assert.ok(!answeringPids(server).has(primary), 'the primary serves nothing itself');

    const { db } = openStockroomDatabase(t, database);
    const users = await db.selectFrom('users').select('id').execute();
    assert.deepEqual(users.map((u) => u.id), [...userIds], 'one bootstrap owner in the database');

    assert.equal(await server.stop(), 0, 'SIGTERM: every worker drained and the primary exited 0');
    for (const pid of workers) assert.equal(isRunning(pid), false, `worker ${pid} ended`);
  });

  test('PostgreSQL, 2 workers: a revoked token is refused at once by every worker, not only the one that revoked it', { skip: NO_POSTGRES }, async (t) => {
    const { server } = await startTwoWorkers(t);
    await server.waitForOutput(/Stockroom listening on/, 2);
    const created = await callAlone(server.url, 'POST', '/v3/user/tokens', OWNER_TOKEN, { name: 'revoked across workers' });
    assert.equal(created.status, 200, JSON.stringify(created.body));
    const token = created.body.bearerToken as string;
    // Each worker caches the token's lookup (2 s) once it has answered with it.
    for (let i = 0; i < 6; i += 1) assert.equal((await callAlone(server.url, 'GET', '/v2/user', token)).status, 200);
    const revoked = await callAlone(server.url, 'DELETE', `/v3/user/tokens/${created.body.token.id}`, OWNER_TOKEN);
    assert.equal(revoked.status, 200, JSON.stringify(revoked.body));
    const after = [];
    for (let i = 0; i < 6; i += 1) after.push((await callAlone(server.url, 'GET', '/v2/user', token)).status);
    assert.deepEqual(after, [401, 401, 401, 401, 401, 401]);
  });

  test('PostgreSQL: a worker that dies ends the whole with exit code 1', { skip: NO_POSTGRES }, async (t) => {
    const { server, workers } = await startTwoWorkers(t);
    const [dying, other] = workers;
    process.kill(dying as number, 'SIGKILL');
    assert.equal(await server.exited, 1);
    assert.match(server.output(), new RegExp(`worker ${dying} exited \\(SIGKILL\\); stopping the other workers`));
    assert.equal(isRunning(other as number), false, 'the other worker was stopped too');
  });

  test('SQLite refuses more than one worker, before opening anything', async (t) => {
    assertFreshBuild();
    const database = await createTestDatabase('sqlite');
    t.after(() => database.drop());
    const env = { ...process.env, ...database.env, DATABASE_URL: '', PORT: '0', STOCKROOM_WORKERS: '2' };
    const child = spawn(process.execPath, [BUNDLE], { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (chunk) => (stderr += String(chunk)));
    const [code] = (await once(child, 'exit')) as [number | null];
    assert.equal(code, 1);
    assert.match(stderr, /STOCKROOM_WORKERS: must be 1 with SQLite/);
    assert.deepEqual(readdirSync(database.dataDir), [], 'no database file was made');
  });
});
