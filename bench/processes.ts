import { spawn, execFileSync, type ChildProcess } from 'node:child_process';
import { closeSync, openSync, readFileSync, readdirSync } from 'node:fs';
import { createServer } from 'node:net';
import { fileURLToPath } from 'node:url';

/** The repository root, where `npm start` runs. */
export const ROOT = fileURLToPath(new URL('..', import.meta.url));

/** A server the bench started in its own process, so it never shares autocannon's event loop. */
export interface ServerProcess {
  readonly url: string;
  readonly pid: number;
  /** Resident set size of the server process, in bytes. */
  rssBytes(): number;
  /** CPU time the server process used so far (user + system), in seconds; NaN where unknown. */
  cpuSeconds(): number;
  /** SIGTERM, then waits for the exit (a CPU profile, when asked for, is written then). */
  stop(): Promise<void>;
}

// Servers still running. Whatever way the bench ends (a failed step, Ctrl-C), none outlives it.
const running = new Set<ChildProcess>();
process.on('exit', () => {
  for (const child of running) child.kill('SIGKILL');
});
for (const signal of ['SIGINT', 'SIGTERM'] as const) process.once(signal, () => process.exit(130));

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

/** Starts the bare `node:http` baseline and waits for its port. */
export async function startBaseline(): Promise<ServerProcess> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'bench/baseline-server.ts'], { cwd: ROOT, stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  track(child);
  const port = await new Promise<number>((resolve, reject) => {
    child.once('message', (message) => resolve((message as { port: number }).port));
    child.once('exit', (code) => reject(new Error(`the baseline server exited with ${code}`)));
  });
  child.disconnect();
  return handle(child, `http://127.0.0.1:${port}`);
}

export interface StockroomStart {
  readonly env: Record<string, string>;
  /** Where the server's log lines go (one JSON line per request at the default level). */
  readonly logFile: string;
  /** Token of the bootstrap owner (`STOCKROOM_TOKEN`), used to detect the first answered request. */
  readonly token: string;
  /** Directory for a `--cpu-prof` profile of the server, when profiling. */
  readonly cpuProfileDir?: string;
  /** Another checkout to run (bench/compare.ts), from its sources through tsx; default this one's bundle. */
  readonly checkout?: string;
}

/**
 * Starts Stockroom the way `npm start` does (see `stockroomCommand`) and measures its cold start:
 * from spawning the process to the first authenticated request answered 200 (`GET /v2/user`, so
 * the database, the token check and the routes all had to be ready).
 */
export async function startStockroom(start: StockroomStart): Promise<{ server: ServerProcess; coldStartMs: number }> {
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const log = openSync(start.logFile, 'a');
  const [command, args] = start.checkout ? [process.execPath, ['--import', 'tsx', 'src/main.ts']] : stockroomCommand(start.cpuProfileDir);
  const startedAt = performance.now();
  const child = spawn(command, args, {
    cwd: start.checkout ?? ROOT,
    env: { ...process.env, ...start.env, PORT: String(port), HOST: '127.0.0.1', STOCKROOM_TOKEN: start.token },
    stdio: ['ignore', log, log],
  });
  closeSync(log);
  track(child);
  let exited: number | null | undefined;
  child.once('exit', (code) => (exited = code));
  for (;;) {
    if (exited !== undefined) throw new Error(`Stockroom exited with ${exited} before answering:\n${tail(start.logFile)}`);
    if (performance.now() - startedAt > 60_000) throw new Error(`Stockroom did not answer within 60 s; see ${start.logFile}`);
    try {
      const response = await fetch(`${url}/v2/user`, { headers: { authorization: `Bearer ${start.token}` } });
      await response.arrayBuffer();
      if (response.status === 200) break;
    } catch {
      // Not listening yet.
    }
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
  const coldStartMs = performance.now() - startedAt;
  const server = handle(child, url);
  await allWorkersListening(server.pid, start.logFile);
  return { server, coldStartMs };
}

/**
 * With `STOCKROOM_WORKERS` the first worker answers before the others have started (and compiled
 * their code, which would count as server CPU in the first measurement): waits until every child
 * process has printed its "listening" line, and the count has held for half a second.
 */
async function allWorkersListening(pid: number, logFile: string): Promise<void> {
  const until = performance.now() + 60_000;
  let held = 0;
  while (held < 2) {
    if (performance.now() > until) throw new Error(`the server's workers did not all listen within 60 s; see ${logFile}`);
    const listening = (readFileSync(logFile, 'utf8').match(/Stockroom listening on/g) ?? []).length;
    held = listening >= Math.max(1, childPids(pid).length) ? held + 1 : 0;
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

function childPids(pid: number): number[] {
  try {
    // Node processes only: tsx (a checkout run from its sources) has an esbuild child too.
    return readdirSync('/proc').filter((name) => /^\d+$/.test(name) && parentOf(name) === pid && commandOf(name) === 'node').map(Number);
  } catch {
    return []; // Not Linux: no workers seen, the first answer is enough.
  }
}

function commandOf(pidName: string): string | undefined {
  try {
    return readFileSync(`/proc/${pidName}/comm`, 'utf8').trim();
  } catch {
    return undefined;
  }
}

function parentOf(pidName: string): number | undefined {
  try {
    const stat = readFileSync(`/proc/${pidName}/stat`, 'utf8');
    return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
  } catch {
    return undefined; // Gone meanwhile, or not Linux.
  }
}

/**
 * The command `npm start` runs once its `prestart` has built the bundle (see `buildStockroom`),
 * without npm in between: npm would add its own start-up time and put its process between us and
 * the server's pid.
 */
export function stockroomCommand(cpuProfileDir?: string): [string, string[]] {
  const profile = cpuProfileDir ? ['--cpu-prof', `--cpu-prof-dir=${cpuProfileDir}`] : [];
  return [process.execPath, [...profile, 'dist/stockroom.mjs']];
}

/** What `npm start`'s `prestart` does: bundle the server into dist/stockroom.mjs when sources changed. */
export function buildStockroom(): void {
  execFileSync(process.execPath, ['scripts/build.mjs', '--if-stale'], { cwd: ROOT, stdio: 'inherit' });
}

/** The end of a log file, for an error message (the temp directory is removed afterwards). */
function tail(path: string): string {
  try {
    return readFileSync(path, 'utf8').slice(-2000);
  } catch {
    return '(no log)';
  }
}

function track(child: ChildProcess): void {
  running.add(child);
  child.once('exit', () => running.delete(child));
}

function handle(child: ChildProcess, url: string): ServerProcess {
  const pid = child.pid;
  if (pid === undefined) throw new Error('the server process has no pid');
  const exit = new Promise<void>((resolve) => {
    if (child.exitCode !== null) resolve();
    else child.once('exit', () => resolve());
  });
  return {
    url,
    pid,
    rssBytes: () => rssOf(pid),
    cpuSeconds: () => cpuOf(pid),
    async stop() {
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
      await exit;
      clearTimeout(timer);
    },
  };
}

/** RSS of a process: `/proc` on Linux, `ps` elsewhere. */
export function rssOf(pid: number): number {
  try {
    const match = /^VmRSS:\s+(\d+) kB$/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    if (match?.[1]) return Number(match[1]) * 1024;
  } catch {
    // Not Linux.
  }
  return Number(execFileSync('ps', ['-o', 'rss=', '-p', String(pid)], { encoding: 'utf8' }).trim()) * 1024;
}

let clockTicks: number | undefined;

/**
 * CPU seconds of a process and its descendants (the workers of `STOCKROOM_WORKERS`) from
 * `/proc/<pid>/stat` (Linux). On a shared machine, throughput moves with the neighbours' load, but
 * the server's CPU time per request barely does: it is the number the optimisations are compared by.
 */
export function cpuOf(pid: number): number {
  try {
    clockTicks ??= Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
    const stats = readdirSync('/proc').filter((name) => /^\d+$/.test(name)).flatMap((name) => {
      try {
        // Fields after the command name (which may hold spaces): ppid is the 2nd, utime and stime the 12th and 13th.
        const stat = readFileSync(`/proc/${name}/stat`, 'utf8');
        const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
        return [{ pid: Number(name), ppid: Number(fields[1]), seconds: (Number(fields[11]) + Number(fields[12])) / (clockTicks ?? 100) }];
      } catch {
        return []; // Gone meanwhile.
      }
    });
    const tree = new Set([pid]);
    for (let grew = true; grew; ) {
      grew = false;
      for (const s of stats) if (!tree.has(s.pid) && tree.has(s.ppid)) (tree.add(s.pid), (grew = true));
    }
    if (!stats.some((s) => s.pid === pid)) return NaN;
    return stats.filter((s) => tree.has(s.pid)).reduce((sum, s) => sum + s.seconds, 0);
  } catch {
    return NaN;
  }
}
