import { availableParallelism, cpus } from 'node:os';
import { runLoad, type LoadResult } from './load.js';
import { startScriptServer, type ServerProcess } from './processes.js';

/**
 * Issue 14 #6: Stockroom's own rate-limit hooks (src/rate-limits/plugin.ts) against
 * `@fastify/rate-limit` with the same counters as its store (src/rate-limits/fastify-plugin.ts),
 * on the same route of the same minimal app (bench/rate-limit-server.ts), each in its own child
 * process of this one. For each kind of counter (memory; Redis through the coalescing counters)
 * and each case (under the limit: every answer 200; over it: every answer 429), both servers run
 * side by side and are measured in interleaved rounds, the order alternating, so a neighbour's
 * load weighs on both alike. It prints the medians and the median of the rounds' library/hooks ratios (docs/rate-limits.md).
 *
 * `npx tsx bench/rate-limit.ts`; BENCH_RL_ROUNDS (default 5), BENCH_DURATION_S (default 5),
 * BENCH_CONNECTIONS (default 50) and BENCH_REDIS_URL (default redis://127.0.0.1:6379) tune it.
 */
const rounds = Number(process.env.BENCH_RL_ROUNDS ?? 5);
const durationS = Number(process.env.BENCH_DURATION_S ?? 5);
const connections = Number(process.env.BENCH_CONNECTIONS ?? 50);
const redisUrl = process.env.BENCH_REDIS_URL ?? 'redis://127.0.0.1:6379';

const VARIANTS = ['hooks', 'library'] as const;
type Variant = (typeof VARIANTS)[number];
const COUNTERS = [
  { name: 'memory', arg: 'memory' },
  { name: 'redis (coalescing)', arg: redisUrl },
];
const CASES = [
  { name: 'under the limit (200)', readLimit: '1000000000', status: '200' },
  { name: 'over the limit (429)', readLimit: '1', status: '429' },
];

interface Sample {
  readonly rps: number;
  readonly p99Ms: number;
  /** Server CPU per answer, µs. */
  readonly cpuUs: number;
}

async function measure(server: ServerProcess, expectStatus: string): Promise<Sample> {
  const cpuBefore = server.cpuSeconds();
  const result: LoadResult = await runLoad(server.url, { method: 'GET', path: '/v2/user' }, { connections, durationS });
  const cpu = server.cpuSeconds() - cpuBefore;
  const answered = Object.values(result.statusCodes).reduce((a, b) => a + b, 0);
  const expected = result.statusCodes[expectStatus] ?? 0;
  // The first request of the over-limit case is the window's one allowed 200.
  if (expected < answered - 1) throw new Error(`expected ${expectStatus} answers, got ${JSON.stringify(result.statusCodes)}`);
  return { rps: result.requestsPerSecond, p99Ms: result.p99Ms, cpuUs: (cpu / answered) * 1e6 };
}

const median = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
};

const lines: string[] = [
  '| counters | case | hooks req/s | library req/s | ratio | hooks p99 ms | library p99 ms | ratio | hooks CPU µs/req | library CPU µs/req | ratio |',
  '|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|',
];
for (const counters of COUNTERS) {
  for (const kase of CASES) {
    const servers = new Map<Variant, ServerProcess>();
    for (const variant of VARIANTS) servers.set(variant, await startScriptServer('bench/rate-limit-server.ts', [variant, counters.arg, kase.readLimit]));
    try {
      // Warm-up: V8 optimises the hot path, Redis connections are open.
      for (const server of servers.values()) await runLoad(server.url, { method: 'GET', path: '/v2/user' }, { connections, durationS: 2 });
      const samples = new Map<Variant, Sample[]>(VARIANTS.map((v) => [v, []]));
      for (let round = 0; round < rounds; round += 1) {
        const order = round % 2 === 0 ? VARIANTS : [...VARIANTS].reverse();
        for (const variant of order) samples.get(variant)!.push(await measure(servers.get(variant)!, kase.status));
      }
      const stat = (variant: Variant, field: keyof Sample) => median(samples.get(variant)!.map((s) => s[field]));
      // The ratio is the median of each round's ratio: the two runs of a round are adjacent, so
      // they saw about the same neighbours, where the medians of each side may not have.
      const ratio = (field: keyof Sample) => median(samples.get('hooks')!.map((h, i) => samples.get('library')![i]![field] / h[field]));
      const cells = (['rps', 'p99Ms', 'cpuUs'] as const).flatMap((field) => [
        stat('hooks', field).toFixed(field === 'rps' ? 0 : 1),
        stat('library', field).toFixed(field === 'rps' ? 0 : 1),
        ratio(field).toFixed(2),
      ]);
      const line = `| ${counters.name} | ${kase.name} | ${cells.join(' | ')} |`;
      lines.push(line);
      console.log(line);
      for (const variant of VARIANTS) console.log(`  ${variant}: ${samples.get(variant)!.map((s) => `${s.rps.toFixed(0)}/s p99 ${s.p99Ms} ms ${s.cpuUs.toFixed(1)} µs`).join(', ')}`);
    } finally {
      for (const server of servers.values()) await server.stop();
    }
  }
}

console.log(`\n${rounds} interleaved rounds of ${durationS} s, ${connections} connections, medians; ratio = median of the rounds' library / hooks.`);
console.log(`${cpus()[0]?.model ?? 'unknown CPU'}, ${availableParallelism()} cores, Node ${process.version}\n`);
console.log(lines.join('\n'));
