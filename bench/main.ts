import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { runLoad, type LoadResult, type RequestShape } from './load.js';
import { readOptions, type BenchOptions } from './options.js';
import { ROOT, buildStockroom, startBaseline, startStockroom, type ServerProcess } from './processes.js';
import { checkTargets, consoleTable, renderReport, writeSection, type ColdStart, type MemoryAfterCreates, type ResultRow, type RunReport, type SoakResult } from './report.js';
import { SCENARIOS, createBody, type Target } from './scenarios.js';
import { seedStores } from './seed.js';
import { prepareDatabase, type PreparedDatabase } from './databases.js';
import { measureDurableCommitsPerSecond } from './sqlite-ceiling.js';
import { stockroomApi } from './stockroom-api.js';

/**
 * `npm run bench`: one run measures a bare node:http baseline and Stockroom (SQLite, and
 * PostgreSQL when BENCH_DATABASE_URL is set), each server in its own process, with autocannon in
 * this one; then prints one table and writes it, the machine and the targets to BENCHMARKS.md.
 * `npm run bench:soak` runs only the long memory soak.
 */
const TOKEN = `srk_bench${randomBytes(16).toString('hex')}`;

async function main(): Promise<void> {
  const options = readOptions(process.env, process.argv.slice(2), ROOT);
  const startedAt = performance.now();
  buildStockroom();
  log(`durable SQLite commit ceiling on this disk…`);
  const commitCeiling = measureDurableCommitsPerSecond();
  log(`  ${commitCeiling.toFixed(0)} commits/s`);

  const rows: ResultRow[] = [];
  const coldStarts: ColdStart[] = [];
  let afterCreates: MemoryAfterCreates | undefined;
  let soak: SoakResult | undefined;

  // The baseline server stays up all run: besides its own rows, it is measured again for a few
  // seconds just before each Stockroom scenario, and that scenario's ratio is to this adjacent
  // measurement, so a neighbour's load that comes and goes weighs on both sides alike.
  const baselineServer = options.soakOnly ? undefined : await startBaseline();
  try {
    const baseline = baselineServer ? await measureBaseline(baselineServer, options) : undefined;
    if (baseline) rows.push(...baseline.rows);
    const pairedBaseline = async (method: 'GET' | 'POST'): Promise<number> => {
      if (!baselineServer) return NaN;
      const shape = method === 'GET' ? BASELINE_GET : BASELINE_POST;
      return (await runLoad(baselineServer.url, shape, { connections: options.connections, durationS: options.pairedBaselineS })).requestsPerSecond;
    };

    const databases: Array<'sqlite' | 'postgres'> = options.soakOnly || !options.databaseUrl ? ['sqlite'] : ['sqlite', 'postgres'];
    for (const kind of databases) {
      const prepared = await prepareDatabase(kind, options.databaseUrl);
      try {
        const run = await measureStockroom(kind, prepared, options, pairedBaseline);
        rows.push(...run.rows);
        if (run.coldStart) coldStarts.push(run.coldStart);
        afterCreates ??= run.afterCreates;
        soak ??= run.soak;
      } finally {
        await prepared.drop();
      }
    }
  } finally {
    await baselineServer?.stop();
  }

  const report: RunReport = {
    date: new Date(),
    connections: options.connections,
    durationS: options.durationS,
    seededStores: options.stores,
    deepPageDepth: options.deepPageDepth,
    commitCeiling,
    rows,
    coldStarts,
    ...(afterCreates ? { afterCreates } : {}),
    ...(soak ? { soak } : {}),
    elapsedS: (performance.now() - startedAt) / 1000,
  };
  const checks = checkTargets(report);
  console.log(`\n${consoleTable(rows)}\n`);
  for (const c of checks) console.log(`${c.met ? 'met   ' : 'MISSED'}  ${c.target}: ${c.measured}`);
  if (options.only) {
    log('\nBENCH_ONLY is set: BENCHMARKS.md left as it was.');
    return;
  }
  writeSection(options.output, options.soakOnly ? 'soak' : 'results', renderReport(report, checks));
  log(`\nwritten to ${options.output} (${report.elapsedS.toFixed(0)} s)`);
}

const BASELINE_GET: RequestShape = { method: 'GET', path: '/v2/user' };
const BASELINE_POST: RequestShape = { method: 'POST', path: '/v1/storage/stores/integration/direct', body: () => createBody({ installationId: 'icfg_x' }, {}) };

async function measureBaseline(server: ServerProcess, options: BenchOptions): Promise<{ rows: ResultRow[] }> {
  log('baseline: node:http, canned JSON');
  const get = await measure(server, BASELINE_GET, options);
  const post = await measure(server, BASELINE_POST, options);
  return {
    rows: [
      { scenario: 'baseline GET (canned JSON)', database: 'baseline', kind: 'baseline', connections: options.connections, result: get, ratio: 1 },
      { scenario: 'baseline POST (canned store JSON)', database: 'baseline', kind: 'baseline', connections: options.connections, result: post, ratio: 1 },
    ],
  };
}

interface StockroomRun {
  readonly rows: ResultRow[];
  readonly coldStart?: ColdStart;
  readonly afterCreates?: MemoryAfterCreates;
  readonly soak?: SoakResult;
}

async function measureStockroom(
  kind: 'sqlite' | 'postgres',
  prepared: PreparedDatabase,
  options: BenchOptions,
  pairedBaseline: (method: 'GET' | 'POST') => Promise<number>,
): Promise<StockroomRun> {
  const start = (profile: boolean) =>
    startStockroom({
      env: prepared.env,
      logFile: join(prepared.dataDir, 'stockroom.log'),
      token: TOKEN,
      ...(profile && options.cpuProfileDir ? { cpuProfileDir: options.cpuProfileDir } : {}),
    });
  log(`\nstockroom (${kind}): first start, migrations and bootstrap`);
  let { server } = await start(false);
  const api = stockroomApi(server.url, TOKEN);
  const installationId = await api.referenceInstallation();
  const templateId = await api.createStore();

  if (options.soakOnly) {
    const soak = await runSoak(server, installationId, options);
    await server.stop();
    return { rows: [], soak };
  }

  log(`  seeding ${options.stores.toLocaleString('en-US')} stores by bulk SQL`);
  const seed = await seedStores(prepared.database, templateId, options.stores, options.deepPageDepth);
  log(`  seeded in ${(seed.milliseconds / 1000).toFixed(1)} s`);

  // Cold starts on the existing, seeded database; the last start serves the scenarios.
  const runs: number[] = [];
  for (let i = 0; i < Math.max(1, options.coldStarts); i += 1) {
    await server.stop();
    const started = await start(i === Math.max(1, options.coldStarts) - 1);
    server = started.server;
    runs.push(started.coldStartMs);
    log(`  cold start ${started.coldStartMs.toFixed(0)} ms`);
  }

  const target: Target = { token: TOKEN, installationId, seed };
  const rows: ResultRow[] = [];
  let creates = 0;
  let rssBefore: number | undefined;
  try {
    for (const scenario of SCENARIOS) {
      if (options.only && !options.only.some((o) => scenario.name.includes(o))) continue;
      if (scenario.kind === 'create') rssBefore ??= server.rssBytes();
      log(`  ${scenario.name}`);
      const shape = scenario.shape(target);
      const connections = scenario.connections ?? options.connections;
      // A ratio to the baseline only compares like with like: the same number of connections.
      const comparable = connections === options.connections;
      const baselineRps = comparable ? await pairedBaseline(shape.method) : NaN;
      const result = await measure(server, shape, { ...options, connections }, (r) => (creates += scenario.kind === 'create' ? r.ok : 0));
      rows.push({
        scenario: scenario.name,
        database: kind,
        kind: scenario.kind,
        connections,
        ...(scenario.createTarget ? { createTarget: true } : {}),
        result,
        ratio: comparable ? result.requestsPerSecond / baselineRps : NaN,
        ...(comparable ? { baselineRps } : {}),
      });
    }
    const afterCreates = kind === 'sqlite' && rssBefore !== undefined ? { creates, rssBefore, rssAfter: server.rssBytes() } : undefined;
    const soak = kind === 'sqlite' && options.soakS > 0 && !options.only ? await runSoak(server, installationId, options) : undefined;
    return { rows, coldStart: { database: kind, runs }, ...(afterCreates ? { afterCreates } : {}), ...(soak ? { soak } : {}) };
  } finally {
    await server.stop();
  }
}

/** A warm-up (not reported), then the measured run, with the server's CPU time per request. */
async function measure(server: ServerProcess, shape: RequestShape, options: BenchOptions, seen?: (r: LoadResult) => void): Promise<LoadResult & { cpuMsPerRequest: number }> {
  if (options.warmupS > 0) seen?.(await runLoad(server.url, shape, { connections: options.connections, durationS: options.warmupS }));
  const cpuBefore = server.cpuSeconds();
  const result = await runLoad(server.url, shape, { connections: options.connections, durationS: options.durationS });
  const cpuMsPerRequest = ((server.cpuSeconds() - cpuBefore) * 1000) / Math.max(1, result.requestsPerSecond * options.durationS);
  seen?.(result);
  log(
    `    ${result.requestsPerSecond.toFixed(0)} req/s, p50 ${result.p50Ms} ms, p99 ${result.p99Ms} ms, ${result.errors} errors ${JSON.stringify(result.statusCodes)}, ${cpuMsPerRequest.toFixed(3)} CPU ms/req`,
  );
  return { ...result, cpuMsPerRequest };
}

/** Free-plan creates at a steady rate, sampling the server's RSS every second. */
async function runSoak(server: ServerProcess, installationId: string, options: BenchOptions): Promise<SoakResult> {
  const shape: RequestShape = {
    method: 'POST',
    path: '/v1/storage/stores/integration/direct',
    headers: { authorization: `Bearer ${TOKEN}` },
    body: () => createBody({ installationId }, {}),
  };
  // The same load for a while first, so that the growth measured is not the JIT and the heap
  // settling in (a fresh process in `bench:soak`), only what the soak itself adds.
  const settleS = Math.min(15, Math.ceil(options.soakS / 4));
  log(`  soak: ${options.soakRate} creates/s, ${settleS} s to settle, then ${options.soakS} s measured`);
  await runLoad(server.url, shape, { connections: 20, durationS: settleS, overallRate: options.soakRate });
  const rssStart = server.rssBytes();
  let rssMax = rssStart;
  const result = await runLoad(server.url, shape, {
    connections: 20,
    durationS: options.soakS,
    overallRate: options.soakRate,
    onTick: () => (rssMax = Math.max(rssMax, server.rssBytes())),
  });
  const rssEnd = server.rssBytes();
  log(`    ${result.ok} creates, ${result.errors} errors, RSS ${(rssStart / 2 ** 20).toFixed(0)} → ${(rssEnd / 2 ** 20).toFixed(0)} MiB (max ${(rssMax / 2 ** 20).toFixed(0)})`);
  return { durationS: options.soakS, rate: options.soakRate, creates: result.ok, errors: result.errors, rssStart, rssEnd, rssMax: Math.max(rssMax, rssEnd) };
}

function log(message: string): void {
  process.stderr.write(`${message}\n`);
}

main().catch((error: unknown) => {
  process.stderr.write(`bench failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exit(1);
});
