import { outcomeOf, type CheckDefinition, type CheckResult, type Finding } from './check-result.js';
import { recordOf, type Exchange, type PartnerHttp, type PartnerRequest } from './partner-http.js';

/** Thrown to end a check early: it was skipped, or nothing more can be examined. */
class CheckEnded extends Error {
  constructor(readonly skipReason?: string) {
    super(skipReason ?? 'check ended');
  }
}

/** Which statuses an answer may have. */
export interface StatusExpectation {
  /** Documented success (or, for a refusal, the documented refusals). */
  readonly ok: readonly number[];
  /** Allowed but not documented: a warning. */
  readonly tolerated?: readonly number[];
  /** What the partner API wants, in words, for the report. */
  readonly wanted: string;
}

/** What a check works with while it runs. */
export interface CheckScope {
  /** Sends a request. No answer in time fails the check and ends it; a slow one is a warning. */
  send(request: PartnerRequest): Promise<Exchange>;
  fail(message: string, expected: string, exchange?: Exchange): void;
  warn(message: string, expected: string, exchange?: Exchange): void;
  /** Ends the check as skipped, with the reason shown in the report. */
  skip(reason: string): never;
  /** Ends the check here (after a failure that makes the rest meaningless). */
  stop(): never;
  /** True when the status is documented (or tolerated, with a warning); records a failure otherwise. */
  expectStatus(exchange: Exchange, expectation: StatusExpectation): boolean;
  /** Records each problem as a failure of this exchange; true when there were none. */
  expectShape(exchange: Exchange, problems: readonly string[], expected: string): boolean;
  readonly failed: boolean;
}

export interface CheckRunOptions {
  /** An answer slower than this is a warning. */
  readonly slowMs: number;
  /** The person's stop (Ctrl-C): a check it cut short is skipped, not failed. */
  readonly signal: AbortSignal;
}

export async function runCheck(definition: CheckDefinition, http: PartnerHttp, timing: CheckRunOptions, body: (scope: CheckScope) => Promise<void>): Promise<CheckResult> {
  const failures: Finding[] = [];
  const warnings: Finding[] = [];
  const finding = (message: string, expected: string, exchange?: Exchange): Finding => ({ message, expected, ...(exchange ? { exchange: recordOf(exchange) } : {}) });
  const scope: CheckScope = {
    async send(request) {
      const exchange = await http.send(request);
      if (exchange.status === undefined) {
        failures.push(finding(`${request.method} ${request.path}: ${exchange.error ?? 'no answer'}`, 'an answer within the timeout', exchange));
        throw new CheckEnded();
      }
      if (exchange.durationMs > timing.slowMs) {
        warnings.push(finding(`${request.method} ${request.path} took ${exchange.durationMs} ms`, `an answer within ${timing.slowMs} ms (Vercel's calls time out; users wait on them)`, exchange));
      }
      return exchange;
    },
    fail: (message, expected, exchange) => void failures.push(finding(message, expected, exchange)),
    warn: (message, expected, exchange) => void warnings.push(finding(message, expected, exchange)),
    skip(reason) {
      throw new CheckEnded(reason);
    },
    stop() {
      throw new CheckEnded();
    },
    expectStatus(exchange, expectation) {
      const status = exchange.status ?? 0;
      const where = `${exchange.request.method} ${new URL(exchange.request.url).pathname}`;
      if (expectation.ok.includes(status)) return true;
      if (expectation.tolerated?.includes(status)) {
        warnings.push(finding(`${where} answered ${status}`, expectation.wanted, exchange));
        return true;
      }
      failures.push(finding(`${where} answered ${status}`, expectation.wanted, exchange));
      return false;
    },
    expectShape(exchange, problems, expected) {
      for (const problem of problems) failures.push(finding(problem, expected, exchange));
      return problems.length === 0;
    },
    get failed() {
      return failures.length > 0;
    },
  };
  const started = performance.now();
  let skipReason: string | undefined;
  try {
    await body(scope);
  } catch (error) {
    if (error instanceof CheckEnded) skipReason = error.skipReason;
    else failures.push({ message: `the checker could not finish this check: ${error instanceof Error ? error.message : String(error)}`, expected: 'a check that runs to its end' });
  }
  const durationMs = Math.round(performance.now() - started);
  // What a stop interrupted (a request aborted, a wait ended early) says nothing about the partner.
  if (timing.signal.aborted) return { ...definition, outcome: 'skip', durationMs, failures: [], warnings: [], skipReason: STOPPED };
  if (skipReason !== undefined && failures.length === 0) {
    return { ...definition, outcome: 'skip', durationMs, failures, warnings, skipReason };
  }
  return { ...definition, outcome: outcomeOf(failures, warnings), durationMs, failures, warnings };
}

/** Why the checks after a Ctrl-C (and the one it interrupted) did not run. */
export const STOPPED = 'the run was stopped';

/** A result for a check that never ran (the run was stopped, or `--keep` leaves its target). */
export function skippedResult(definition: CheckDefinition, reason: string): CheckResult {
  return { ...definition, outcome: 'skip', durationMs: 0, failures: [], warnings: [], skipReason: reason };
}
