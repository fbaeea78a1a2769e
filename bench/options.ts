/** How the bench runs; every knob is an environment variable so `npm run bench` needs none. */
export interface BenchOptions {
  /** `npm run bench:soak`: only the long soak (5 minutes, 100,000 creates), written to its own section. */
  readonly soakOnly: boolean;
  readonly connections: number;
  readonly durationS: number;
  readonly warmupS: number;
  /** Seconds of baseline measured just before each Stockroom scenario, for its ratio. */
  readonly pairedBaselineS: number;
  readonly stores: number;
  readonly deepPageDepth: number;
  readonly soakS: number;
  readonly soakRate: number;
  readonly coldStarts: number;
  /** A PostgreSQL server URL whose user may create databases; adds the PostgreSQL runs. */
  readonly databaseUrl?: string;
  /** Profile the Stockroom child with `--cpu-prof` into this directory. */
  readonly cpuProfileDir?: string;
  /** Only scenarios whose name contains one of these (for profiling); BENCHMARKS.md is then left alone. */
  readonly only?: readonly string[];
  /** Where the report goes; default BENCHMARKS.md at the repository root. */
  readonly output: string;
}

export function readOptions(env: Record<string, string | undefined>, argv: readonly string[], root: string): BenchOptions {
  const soakOnly = argv.includes('--soak');
  const int = (name: string, fallback: number) => {
    const raw = env[name];
    if (raw === undefined || raw === '') return fallback;
    const value = Number(raw);
    if (!Number.isInteger(value) || value < 0) throw new Error(`${name} must be a non-negative integer, not ${raw}`);
    return value;
  };
  return {
    soakOnly,
    connections: int('BENCH_CONNECTIONS', 50),
    durationS: int('BENCH_DURATION_S', 10),
    warmupS: int('BENCH_WARMUP_S', 2),
    pairedBaselineS: Math.max(1, int('BENCH_PAIRED_BASELINE_S', 4)),
    stores: int('BENCH_STORES', 100_000),
    deepPageDepth: int('BENCH_DEEP_PAGE', 90_000),
    // The full soak is 100,000 creates in 5 minutes; `npm run bench` keeps the rate and runs 60 s.
    soakS: int('BENCH_SOAK_S', soakOnly ? 300 : 60),
    soakRate: int('BENCH_SOAK_RATE', 334),
    coldStarts: int('BENCH_COLD_STARTS', 3),
    ...(env.BENCH_DATABASE_URL ? { databaseUrl: env.BENCH_DATABASE_URL } : {}),
    ...(env.BENCH_CPU_PROFILE_DIR ? { cpuProfileDir: env.BENCH_CPU_PROFILE_DIR } : {}),
    ...(env.BENCH_ONLY ? { only: env.BENCH_ONLY.split(',').map((s) => s.trim()).filter((s) => s !== '') } : {}),
    output: env.BENCH_OUTPUT ?? `${root}/BENCHMARKS.md`,
  };
}
