import autocannon, { type AutocannonRequest, type AutocannonResult } from 'autocannon';

/** One kind of request a scenario sends over and over. */
export interface RequestShape {
  readonly method: 'GET' | 'POST';
  readonly path: string;
  readonly headers?: Readonly<Record<string, string>>;
  /** A fresh body per request (creates need unique names); absent for GET. */
  readonly body?: () => string;
}

export interface LoadOptions {
  readonly connections: number;
  readonly durationS: number;
  /** Requests per second over all connections; unbounded when absent. */
  readonly overallRate?: number;
  /** Called about once a second while the load runs (the soak samples RSS with it). */
  readonly onTick?: () => void;
}

/** What one autocannon run measured. Latencies are those of 2xx answers, in milliseconds. */
export interface LoadResult {
  readonly requestsPerSecond: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
  /** Connection errors, timeouts and non-2xx answers. */
  readonly errors: number;
  /** 2xx answers. */
  readonly ok: number;
  readonly statusCodes: Readonly<Record<string, number>>;
}

/** Drives `baseUrl` with autocannon for a fixed duration and reduces its result. */
export async function runLoad(baseUrl: string, shape: RequestShape, options: LoadOptions): Promise<LoadResult> {
  const request: AutocannonRequest = {
    method: shape.method,
    path: shape.path,
    headers: { ...shape.headers, ...(shape.body ? { 'content-type': 'application/json' } : {}) },
  };
  const { body } = shape;
  if (body) request.setupRequest = (r) => ({ ...r, body: body() });
  const instance = autocannon({
    url: baseUrl,
    connections: options.connections,
    duration: options.durationS,
    // A stuck request counts as an error after 10 s instead of stalling the run.
    timeout: 10,
    requests: [request],
    ...(options.overallRate ? { overallRate: options.overallRate } : {}),
  });
  const tick = options.onTick ? setInterval(options.onTick, 1000) : undefined;
  let result: AutocannonResult;
  try {
    result = await instance;
  } finally {
    if (tick) clearInterval(tick);
  }
  const statusCodes = Object.fromEntries(Object.entries(result.statusCodeStats).map(([code, s]) => [code, s.count]));
  const ok = Object.entries(statusCodes)
    .filter(([code]) => code.startsWith('2'))
    .reduce((sum, [, count]) => sum + count, 0);
  return {
    requestsPerSecond: result.requests.total / result.duration,
    p50Ms: result.latency.p50,
    p99Ms: result.latency.p99,
    errors: result.errors + result.non2xx,
    ok,
    statusCodes,
  };
}
