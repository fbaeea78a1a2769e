/** What one request to the partner and its answer looked like, as a report shows them. */
export interface ExchangeRecord {
  readonly request: { readonly method: string; readonly url: string; readonly headers: Readonly<Record<string, string>>; readonly body?: unknown };
  /** Absent when no answer came (`error` says why). */
  readonly response?: { readonly status: number; readonly headers: Readonly<Record<string, string>>; readonly body: unknown; readonly durationMs: number };
  readonly error?: string;
}

/** One departure (a failure) or one doubtful but allowed answer (a warning). */
export interface Finding {
  /** What happened, in a sentence. */
  readonly message: string;
  /** What the partner API wants instead. */
  readonly expected: string;
  readonly exchange?: ExchangeRecord;
}

export type Outcome = 'pass' | 'fail' | 'warn' | 'skip';

/** A check as the report lists it. */
export interface CheckDefinition {
  /** Stable, kebab-case; tests and CI filters match on it. */
  readonly id: string;
  readonly title: string;
  /** The partner API operation (Vercel's reference page) or rule it enforces. */
  readonly spec: string;
}

export interface CheckResult extends CheckDefinition {
  readonly outcome: Outcome;
  readonly durationMs: number;
  readonly failures: readonly Finding[];
  readonly warnings: readonly Finding[];
  readonly skipReason?: string;
}

/** A check's outcome from its findings: any failure fails it, else any warning warns. */
export function outcomeOf(failures: readonly Finding[], warnings: readonly Finding[]): Outcome {
  if (failures.length > 0) return 'fail';
  return warnings.length > 0 ? 'warn' : 'pass';
}

export interface ReportSummary {
  readonly passed: number;
  readonly failed: number;
  readonly warned: number;
  readonly skipped: number;
}

export function summarize(results: readonly CheckResult[]): ReportSummary {
  const count = (outcome: Outcome) => results.filter((r) => r.outcome === outcome).length;
  return { passed: count('pass'), failed: count('fail'), warned: count('warn'), skipped: count('skip') };
}
