import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import type { LoadResult } from './load.js';
import type { ScenarioKind } from './scenarios.js';

export type Database = 'baseline' | 'sqlite' | 'postgres';

export interface ResultRow {
  readonly scenario: string;
  readonly database: Database;
  readonly kind: ScenarioKind | 'baseline';
  readonly connections: number;
  readonly createTarget?: boolean;
  readonly result: LoadResult & { readonly cpuMsPerRequest: number };
  /** Requests/s divided by the baseline's for the same method, in this run; NaN when not comparable. */
  readonly ratio: number;
  /** The baseline's requests/s measured just before this scenario, which `ratio` divides by. */
  readonly baselineRps?: number;
}

export interface ColdStart {
  readonly database: Database;
  /** Each measured start, in milliseconds. */
  readonly runs: readonly number[];
}

export interface SoakResult {
  readonly durationS: number;
  readonly rate: number;
  readonly creates: number;
  readonly errors: number;
  readonly rssStart: number;
  readonly rssEnd: number;
  readonly rssMax: number;
}

export interface MemoryAfterCreates {
  readonly creates: number;
  readonly rssBefore: number;
  readonly rssAfter: number;
}

export interface RunReport {
  readonly date: Date;
  readonly connections: number;
  readonly durationS: number;
  readonly seededStores: number;
  readonly deepPageDepth: number;
  readonly commitCeiling: number;
  readonly rows: readonly ResultRow[];
  readonly coldStarts: readonly ColdStart[];
  readonly afterCreates?: MemoryAfterCreates;
  readonly soak?: SoakResult;
  /** Wall time of the whole bench, seconds. */
  readonly elapsedS: number;
}

export interface TargetCheck {
  readonly target: string;
  readonly met: boolean;
  readonly measured: string;
  /** What stands between the measurement and the target, when it is missed. */
  readonly limit?: string;
}

const ratioText = (ratio: number) => (Number.isNaN(ratio) ? '—' : `${(ratio * 100).toFixed(1)}%`);
const mib = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(0)} MiB`;
const ms = (value: number) => (value < 10 ? value.toFixed(1) : value.toFixed(0));
const median = (values: readonly number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] ?? NaN;

/** Checks the targets of issue 7 against what this run measured. */
export function checkTargets(report: RunReport): TargetCheck[] {
  const checks: TargetCheck[] = [];
  const stockroom = report.rows.filter((r) => r.database !== 'baseline');
  const baseCpu = report.rows.find((r) => r.kind === 'baseline')?.result.cpuMsPerRequest ?? NaN;
  // With every connection busy, the mean time in the server is connections ÷ throughput.
  const queue = (row: ResultRow) => `${row.connections} connections ÷ ${row.result.requestsPerSecond.toFixed(0)}/s = ${((row.connections / row.result.requestsPerSecond) * 1000).toFixed(0)} ms mean time in the server (Little's law)`;
  for (const row of stockroom.filter((r) => (r.kind === 'read' || r.kind === 'list') && !Number.isNaN(r.ratio))) {
    checks.push({
      target: `${row.scenario} (${row.database}) ≥ 30% of the baseline's requests/s`,
      met: row.ratio >= 0.3,
      measured: `${(row.ratio * 100).toFixed(1)}%${row.baselineRps ? ` (${row.result.requestsPerSecond.toFixed(0)} against ${row.baselineRps.toFixed(0)}/s measured just before)` : ''}`,
      limit: `server CPU ${row.result.cpuMsPerRequest.toFixed(3)} ms per request against the baseline's ${baseCpu.toFixed(3)} ms, on one event loop${row.kind === 'list' ? ': a page is 20 full stores (~96 KB of JSON, product and metadata schema included) against the baseline\'s 0.6 KB' : ''}`,
    });
  }
  for (const row of stockroom.filter((r) => r.kind === 'list')) {
    const saturated = row.connections === report.connections;
    checks.push({
      target: `${row.scenario} (${row.database}) p99 ≤ 10 ms${saturated ? ` at ${row.connections} connections` : ''}`,
      met: row.result.p99Ms <= 10,
      measured: `p99 ${ms(row.result.p99Ms)} ms`,
      limit: saturated
        ? `${queue(row)}: 10 ms at ${row.connections} connections needs ${((row.connections / 0.01) | 0).toLocaleString('en-US')} pages/s, ${(10 / row.connections).toFixed(2)} ms of CPU per page; one costs ${row.result.cpuMsPerRequest.toFixed(2)} ms`
        : `server CPU ${row.result.cpuMsPerRequest.toFixed(2)} ms per page`,
    });
  }
  for (const row of stockroom.filter((r) => r.createTarget && r.database === 'sqlite')) {
    const { requestsPerSecond: rps, p99Ms, errors } = row.result;
    checks.push({
      target: `${row.scenario} (SQLite) ≥ 1,000/s at ${report.connections} connections, p99 ≤ 25 ms, zero errors`,
      met: rps >= 1000 && p99Ms <= 25 && errors === 0,
      measured: `${rps.toFixed(0)}/s, p99 ${ms(p99Ms)} ms, ${errors} errors`,
      limit: `one event loop: ${row.result.cpuMsPerRequest.toFixed(2)} ms of server CPU per create (the API request and the reference partner's, over HTTP, in the same process), plus durable commits on a disk doing ${report.commitCeiling.toFixed(0)} single-row commits/s (shared by group commit, the WAL synced on the thread pool while the event loop goes on); and ${queue(row)}, so p99 ≤ 25 ms at ${report.connections} connections needs ${((report.connections / 0.025) | 0).toLocaleString('en-US')} creates/s`,
    });
  }
  for (const cold of report.coldStarts) {
    const value = median(cold.runs);
    checks.push({
      target: `cold start to first answered request (${cold.database}, existing database) ≤ 1 s`,
      met: value <= 1000,
      measured: `median ${value.toFixed(0)} ms of ${cold.runs.map((r) => r.toFixed(0)).join(', ')}`,
    });
  }
  if (report.soak) {
    const growth = report.soak.rssEnd / report.soak.rssStart - 1;
    checks.push({
      target: `RSS growth over the soak ≤ 10%`,
      met: growth <= 0.1 && report.soak.errors === 0,
      measured: `${(growth * 100).toFixed(1)}% (${mib(report.soak.rssStart)} → ${mib(report.soak.rssEnd)}, max ${mib(report.soak.rssMax)}; ${report.soak.errors} errors)`,
    });
  }
  return checks;
}

/** The results table as Markdown. */
export function resultsTable(rows: readonly ResultRow[]): string {
  const lines = ['| scenario | database | requests/s | p50 ms | p99 ms | errors | vs baseline | server CPU ms/request |', '|---|---|---:|---:|---:|---:|---:|---:|'];
  for (const row of rows) {
    const r = row.result;
    lines.push(
      `| ${row.scenario} | ${row.database} | ${r.requestsPerSecond.toFixed(0)} | ${ms(r.p50Ms)} | ${ms(r.p99Ms)} | ${r.errors} | ${ratioText(row.ratio)} | ${r.cpuMsPerRequest.toFixed(3)} |`,
    );
  }
  return lines.join('\n');
}

/** The whole generated section of BENCHMARKS.md. */
export function renderReport(report: RunReport, checks: readonly TargetCheck[]): string {
  const cpu = cpus();
  const lines = [
    `Generated by \`npm run bench\` on ${report.date.toISOString()} in ${report.elapsedS.toFixed(0)} s.`,
    '',
    `- Machine: ${cpu.length} cores (${cpu[0]?.model.trim() ?? 'unknown CPU'}), ${(totalmem() / 1024 ** 3).toFixed(1)} GiB memory, ${process.platform}/${process.arch}`,
    `- Node ${process.version}; autocannon with ${report.connections} connections, ${report.durationS} s per scenario after a warm-up; every server in its own process`,
    `- A team holding ${report.seededStores.toLocaleString('en-US')} stores (seeded by bulk SQL); the deep page starts ${report.deepPageDepth.toLocaleString('en-US')} stores down`,
    `- Durable single-row SQLite commits on this disk (WAL, synchronous=FULL): ${report.commitCeiling.toFixed(0)}/s`,
    `- "vs baseline": requests/s against the baseline server's, measured with the same method for a few seconds just before that scenario (so both saw the same neighbours)`,
    '- "server CPU ms/request" is the server process\'s user + system CPU time over the measured run divided by its requests: on a shared machine it moves far less than requests/s',
    '',
    resultsTable(report.rows),
    '',
  ];
  if (report.coldStarts.length > 0) {
    lines.push('Cold start (spawn to the first `GET /v2/user` answered 200, on the seeded database):', '');
    for (const cold of report.coldStarts) lines.push(`- ${cold.database}: ${cold.runs.map((r) => `${r.toFixed(0)} ms`).join(', ')}`);
    lines.push('');
  }
  if (report.afterCreates) {
    const a = report.afterCreates;
    lines.push(`Memory: RSS ${mib(a.rssBefore)} before the create scenarios, ${mib(a.rssAfter)} after ${a.creates.toLocaleString('en-US')} creates (SQLite).`);
  }
  if (report.soak) {
    const s = report.soak;
    lines.push(
      `Soak: ${s.creates.toLocaleString('en-US')} free-plan creates at ${s.rate}/s for ${s.durationS} s (SQLite), after the same load for a few seconds to settle; ${s.errors} errors; RSS ${mib(s.rssStart)} at the start, ${mib(s.rssEnd)} at the end, ${mib(s.rssMax)} at most.`,
    );
  }
  lines.push('', '| target | result | measured | what limits it |', '|---|---|---|---|');
  for (const c of checks) lines.push(`| ${c.target} | ${c.met ? 'met' : '**missed**'} | ${c.measured} | ${c.met ? '' : (c.limit ?? 'see "Where the time goes" below')} |`);
  return lines.join('\n');
}

/** The results as a plain table for the terminal. */
export function consoleTable(rows: readonly ResultRow[]): string {
  const header = ['scenario', 'db', 'req/s', 'p50 ms', 'p99 ms', 'errors', 'vs base', 'CPU ms/req'];
  const body = rows.map((row) => [
    row.scenario,
    row.database,
    row.result.requestsPerSecond.toFixed(0),
    ms(row.result.p50Ms),
    ms(row.result.p99Ms),
    String(row.result.errors),
    ratioText(row.ratio),
    row.result.cpuMsPerRequest.toFixed(3),
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...body.map((r) => (r[i] ?? '').length)));
  const format = (cells: readonly string[]) => cells.map((c, i) => (i === 0 || i === 1 ? c.padEnd(widths[i] ?? 0) : c.padStart(widths[i] ?? 0))).join('  ');
  return [format(header), ...body.map(format)].join('\n');
}

/**
 * Writes `section` between `<!-- bench:<name>:start -->` and `<!-- bench:<name>:end -->` in
 * BENCHMARKS.md, keeping everything else (the hand-written analysis) as it is.
 */
export function writeSection(path: string, name: string, section: string): void {
  const start = `<!-- bench:${name}:start -->`;
  const end = `<!-- bench:${name}:end -->`;
  const block = `${start}\n${section}\n${end}`;
  const current = existsSync(path) ? readFileSync(path, 'utf8') : '# Benchmarks\n';
  const from = current.indexOf(start);
  const to = current.indexOf(end);
  const next = from >= 0 && to > from ? current.slice(0, from) + block + current.slice(to + end.length) : `${current.trimEnd()}\n\n${block}\n`;
  writeFileSync(path, next);
}
