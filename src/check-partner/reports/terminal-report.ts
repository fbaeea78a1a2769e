import type { CheckReport } from '../check-partner.js';
import type { CheckResult, ExchangeRecord, Finding } from '../check-result.js';

const LABELS = { pass: 'PASS', fail: 'FAIL', warn: 'WARN', skip: 'SKIP' } as const;
/** The longest body shown in a finding; the JSON report has it whole. */
const MAX_BODY_CHARS = 600;

/** One line per check as it finishes: what the person watches while the run goes on. */
export function progressLine(result: CheckResult): string {
  const detail = result.outcome === 'skip' ? (result.skipReason ?? '') : result.spec;
  return `  ${LABELS[result.outcome]}  ${result.id.padEnd(27)} ${detail.padEnd(58)} ${String(result.durationMs).padStart(6)} ms\n`;
}

export function headerLines(where: { url: string; clientId: string; product: string; jwksUrl: string; issuer: string }): string {
  return [
    `stockroom check-partner → ${where.url} (client id ${where.clientId}, product ${where.product})`,
    `  the partner must trust: JWKS ${where.jwksUrl}, issuer ${where.issuer}`,
    '',
  ].join('\n') + '\n';
}

/** What follows the progress table: every failure and warning in full, the summary, the cleanup. */
export function closingLines(report: CheckReport): string {
  const out: string[] = [];
  for (const check of report.checks.filter((c) => c.failures.length > 0 || c.warnings.length > 0)) {
    out.push('', `${LABELS[check.outcome]} ${check.id}: ${check.title}`);
    for (const finding of check.failures) out.push(...findingLines('✗', finding));
    for (const finding of check.warnings) out.push(...findingLines('!', finding));
  }
  const { passed, failed, warned, skipped } = report.summary;
  out.push('', `${report.checks.length} checks: ${passed} passed, ${failed} failed, ${warned} passed with warnings, ${skipped} skipped, in ${(report.durationMs / 1000).toFixed(1)} s`);
  out.push(cleanupLine(report));
  const hint = trustHint(report);
  if (hint) out.push('', hint);
  return `${out.join('\n')}\n`;
}

/**
 * The commonest first-run mistake is a partner that does not trust the checker's key: then every
 * call is refused and the report is a wall of 403s. Said once, plainly, at the end.
 */
function trustHint(report: CheckReport): string | undefined {
  const upsert = report.checks.find((c) => c.id === 'upsert-installation');
  const status = upsert?.failures[0]?.exchange?.response?.status;
  if (status !== 401 && status !== 403) return undefined;
  return `hint: the partner refused even Upsert Installation (${status}). Does it trust the checker's JWKS ${report.jwksUrl}, issuer ${report.issuer} and audience ${report.partner.clientId}?`;
}

function cleanupLine(report: CheckReport): string {
  const { cleanup } = report;
  if (cleanup.kept) return cleanup.left.length ? `--keep: left for inspection: ${cleanup.left.join(', ')}` : '--keep: nothing was left to keep';
  const done = cleanup.deleted.length ? `cleanup deleted ${cleanup.deleted.join(', ')}` : 'cleanup: nothing was left to delete';
  const failed = cleanup.failed.map((f) => `${f.what}: ${f.message}`);
  return failed.length ? `${done}; COULD NOT DELETE ${failed.join('; ')}` : done;
}

function findingLines(mark: string, finding: Finding): string[] {
  const lines = [`  ${mark} ${finding.message}`, `    wanted: ${finding.expected}`];
  if (finding.exchange) lines.push(...exchangeLines(finding.exchange));
  return lines;
}

function exchangeLines(exchange: ExchangeRecord): string[] {
  const { request } = exchange;
  const lines = [`    sent:   ${request.method} ${request.url}`];
  for (const [name, value] of Object.entries(request.headers)) if (name !== 'accept' && name !== 'user-agent' && name !== 'content-type') lines.push(`            ${name}: ${value}`);
  if (request.body !== undefined) lines.push(`            ${shown(request.body)}`);
  if (exchange.response) {
    lines.push(`    got:    ${exchange.response.status} in ${exchange.response.durationMs} ms`);
    const body = exchange.response.body;
    if (body !== '' && body !== undefined) lines.push(`            ${shown(body)}`);
  } else lines.push(`    got:    nothing: ${exchange.error ?? 'no answer'}`);
  return lines;
}

function shown(body: unknown): string {
  // JSON.stringify escapes control characters; a body that is not JSON is shown with them escaped
  // too, so that no answer can move the cursor or recolour the terminal.
  const text = typeof body === 'string' ? JSON.stringify(body).slice(1, -1) : JSON.stringify(body);
  return text.length > MAX_BODY_CHARS ? `${text.slice(0, MAX_BODY_CHARS)}… (${text.length} chars)` : text;
}
