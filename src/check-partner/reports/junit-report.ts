import type { CheckReport } from '../check-partner.js';
import type { Finding } from '../check-result.js';

const escapeXml = (text: string) =>
  text.replace(/[<>&"']/g, (c) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', '"': '&quot;', "'": '&apos;' })[c]!).replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f\ufffe\uffff]|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g, '');

function describe(findings: readonly Finding[]): string {
  return findings.map((f) => [f.message, `wanted: ${f.expected}`, ...(f.exchange ? [JSON.stringify(f.exchange, null, 2)] : [])].join('\n')).join('\n\n');
}

/**
 * The report as JUnit XML, which CI systems show as a test suite: one test case per check,
 * `<failure>` for a failed check, `<skipped>` for a skipped one, warnings in `<system-out>`.
 */
export function junitReport(report: CheckReport): string {
  const seconds = (ms: number) => (ms / 1000).toFixed(3);
  const cases = report.checks.map((check) => {
    const name = escapeXml(`${check.id}: ${check.title}`);
    const parts: string[] = [];
    if (check.outcome === 'fail') parts.push(`<failure message="${escapeXml(check.failures[0]?.message ?? 'failed')}" type="${escapeXml(check.spec)}">${escapeXml(describe(check.failures))}</failure>`);
    if (check.outcome === 'skip') parts.push(`<skipped message="${escapeXml(check.skipReason ?? 'skipped')}"/>`);
    if (check.warnings.length > 0) parts.push(`<system-out>${escapeXml(`warnings:\n${describe(check.warnings)}`)}</system-out>`);
    return `    <testcase classname="check-partner" name="${name}" time="${seconds(check.durationMs)}">${parts.join('')}</testcase>`;
  });
  const { failed, skipped } = report.summary;
  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<testsuites name="stockroom check-partner" tests="${report.checks.length}" failures="${failed}" skipped="${skipped}" time="${seconds(report.durationMs)}">`,
    `  <testsuite name="${escapeXml(`check-partner ${report.partner.url}`)}" tests="${report.checks.length}" failures="${failed}" skipped="${skipped}" errors="0" time="${seconds(report.durationMs)}" timestamp="${report.startedAt}">`,
    ...cases,
    '  </testsuite>',
    '</testsuites>',
    '',
  ].join('\n');
}
