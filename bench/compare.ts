import { execFileSync, execSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runLoad, type RequestShape } from './load.js';
import { prepareDatabase, type DatabaseKind } from './databases.js';
import { ROOT, startStockroom, type ServerProcess } from './processes.js';
import { SCENARIOS, type Target } from './scenarios.js';
import { seedStores } from './seed.js';
import { stockroomApi } from './stockroom-api.js';

/**
 * Before/after numbers for each optimisation (BENCHMARKS.md, "What each optimisation gained"):
 * `npx tsx bench/compare.ts <commit>… ` checks each commit out into a temporary directory (git
 * archive; this checkout is left alone), runs it from its sources as its `npm start` did, and
 * measures the same scenarios on each, in interleaved rounds so that a busy neighbour on a shared
 * machine weighs on every commit alike. It prints, per commit and scenario, the best requests/s and
 * the least server CPU per request seen over the rounds.
 *
 * BENCH_COMPARE_SCENARIOS (substrings of scenario names), BENCH_COMPARE_ROUNDS (default 2) and
 * BENCH_DURATION_S (default 5) tune it. BENCH_COMPARE_DATABASES picks `sqlite`, `postgres` or both
 * (default `sqlite`); `postgres` needs BENCH_DATABASE_URL, a server whose user may create databases,
 * and each commit's run gets a fresh database there, seeded as SQLite's is and dropped after.
 * Not part of `npm run bench`.
 */
const TOKEN = 'srk_benchCompareToken0123456789abcdef';
const commits = process.argv.slice(2);
if (commits.length === 0) throw new Error('usage: npx tsx bench/compare.ts <commit>…');
const filters = (process.env.BENCH_COMPARE_SCENARIOS ?? 'GET /v2/user,GET plans,stores/{id},first page,free plan,paid').split(',');
const scenarios = SCENARIOS.filter((s) => filters.some((f) => s.name.includes(f)));
const databases = (process.env.BENCH_COMPARE_DATABASES ?? 'sqlite').split(',').map((d) => d.trim()).filter((d) => d !== '') as DatabaseKind[];
for (const kind of databases) if (kind !== 'sqlite' && kind !== 'postgres') throw new Error(`BENCH_COMPARE_DATABASES: sqlite or postgres, not ${String(kind)}`);
const databaseUrl = process.env.BENCH_DATABASE_URL;
if (databases.includes('postgres') && !databaseUrl) throw new Error('BENCH_COMPARE_DATABASES=postgres needs BENCH_DATABASE_URL');
const rounds = Number(process.env.BENCH_COMPARE_ROUNDS ?? 2);
const durationS = Number(process.env.BENCH_DURATION_S ?? 5);
// Long enough for V8 to have optimised the hot code even at a few dozen creates per second.
const warmupS = Number(process.env.BENCH_WARMUP_S ?? 3);

// A fix to an early commit's config.ts (32b10fd) that the commits before it need in order to run.
const CONFIG_FIX = '32b10fd';

const work = mkdtempSync(join(tmpdir(), 'stockroom-compare-'));
process.on('exit', () => rmSync(work, { recursive: true, force: true }));

function checkout(commit: string): string {
  const dir = join(work, commit);
  mkdirSync(dir);
  execSync(`git archive ${commit} | tar -x -C ${dir}`, { cwd: ROOT });
  symlinkSync(join(ROOT, 'node_modules'), join(dir, 'node_modules'));
  return dir;
}

function isAncestor(ancestor: string, commit: string): boolean {
  try {
    execFileSync('git', ['merge-base', '--is-ancestor', ancestor, commit], { cwd: ROOT, stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

const dirs = new Map<string, string>();
for (const commit of commits) {
  const dir = checkout(commit);
  if (!isAncestor(CONFIG_FIX, commit)) execSync(`git show ${CONFIG_FIX}:src/config.ts > ${join(dir, 'src/config.ts')}`, { cwd: ROOT });
  dirs.set(commit, dir);
}

type Sample = { rps: number; cpu: number };
const samples = new Map<string, Sample[]>();

for (let round = 0; round < rounds; round += 1) {
  for (const kind of databases) {
    for (const commit of commits) {
      const dir = dirs.get(commit) as string;
      const prepared = await prepareDatabase(kind, databaseUrl);
      try {
        const logFile = join(work, `${commit}-${kind}-${round}.log`);
        const { server } = await startStockroom({ env: prepared.env, logFile, token: TOKEN, checkout: dir });
        try {
          const api = stockroomApi(server.url, TOKEN);
          const installationId = await api.referenceInstallation();
          const seed = await seedStores(prepared.database, await api.createStore(), 1000, 900);
          const target: Target = { token: TOKEN, installationId, seed };
          for (const scenario of scenarios) {
            const shape = scenario.shape(target);
            const sample = await measure(server, shape);
            const key = `${commit}\t${kind}\t${scenario.name}`;
            samples.set(key, [...(samples.get(key) ?? []), sample]);
            process.stderr.write(`round ${round + 1} ${commit} ${kind} ${scenario.name}: ${sample.rps.toFixed(0)} req/s, ${sample.cpu.toFixed(3)} CPU ms/req\n`);
          }
        } finally {
          await server.stop();
        }
      } finally {
        await prepared.drop();
      }
    }
  }
}

async function measure(server: ServerProcess, shape: RequestShape): Promise<Sample> {
  await runLoad(server.url, shape, { connections: 50, durationS: warmupS });
  const before = server.cpuSeconds();
  const result = await runLoad(server.url, shape, { connections: 50, durationS });
  return { rps: result.requestsPerSecond, cpu: ((server.cpuSeconds() - before) * 1000) / Math.max(1, result.requestsPerSecond * durationS) };
}

// Best of the rounds: a neighbour's load only ever adds CPU time and takes requests away, so the
// least CPU per request and the most requests/s seen are the closest to the code's own cost.
const best = (values: number[], pick: (a: number, b: number) => number) => (values.length === 0 ? NaN : values.reduce((a, b) => pick(a, b)));
const subject = (commit: string) => execFileSync('git', ['log', '-1', '--format=%s', commit], { cwd: ROOT, encoding: 'utf8' }).trim().slice(0, 60);
const lines = [`| commit | database | ${scenarios.map((s) => `${s.name}: req/s, CPU ms/req`).join(' | ')} |`, `|---|---|${scenarios.map(() => '---:').join('|')}|`];
for (const kind of databases) {
  for (const commit of commits) {
    const cells = scenarios.map((scenario) => {
      const s = samples.get(`${commit}\t${kind}\t${scenario.name}`) ?? [];
      return `${best(s.map((x) => x.rps), Math.max).toFixed(0)}, ${best(s.map((x) => x.cpu), Math.min).toFixed(2)}`;
    });
    lines.push(`| ${commit} ${subject(commit)} | ${kind} | ${cells.join(' | ')} |`);
  }
}
process.stdout.write(`${lines.join('\n')}\n(${rounds} interleaved rounds of ${durationS} s after ${warmupS} s of warm-up; best of the rounds)\n`);
