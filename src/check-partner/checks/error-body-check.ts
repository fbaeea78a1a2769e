import type { Check } from '../life.js';
import { leakPaths } from '../secret-leaks.js';
import { errorBodyProblems } from '../wire-rules.js';

/** At most this many offending answers are listed; the count says how many there were. */
const MAX_LISTED = 5;

export const errorBodies: Check = {
  id: 'error-bodies',
  title: "Every 4xx answer has the partner API's error body",
  spec: 'Error responses ({error: {code, message}})',
  async run(scope, life) {
    // Vercel shows error.message to the person and keys its handling on error.code; a body it
    // cannot read becomes a generic failure.
    // An optional endpoint the partner does not serve may answer its framework's own 404.
    const errors = life.http.exchanges.filter((e) => e.status !== undefined && e.status >= 400 && e.status < 500 && !life.notServed.has(e));
    const wanted = '{"error": {"code": string, "message": string, "fields"?: [{key, message?}] (400 only)}}';
    let listed = 0;
    let offending = 0;
    for (const exchange of errors) {
      if (!exchange.isJson) {
        scope.warn(`${exchange.request.method} ${new URL(exchange.request.url).pathname} answered ${exchange.status} with a body that is not JSON`, wanted, exchange);
        continue;
      }
      const problems = errorBodyProblems(exchange.json, exchange.status!);
      if (problems.length > 0) {
        offending += 1;
        if (listed < MAX_LISTED) {
          listed += 1;
          scope.fail(`${exchange.request.method} ${new URL(exchange.request.url).pathname} answered ${exchange.status}: ${problems.join('; ')}`, wanted, exchange);
        }
      }
      const leaks = leakPaths(exchange.json, [...life.sensitive]);
      if (leaks.length > 0) scope.warn(`an error answer carries a credential or token in ${leaks.join(', ')}`, 'no secrets in error messages: they are shown and logged', exchange);
    }
    if (offending > listed) scope.fail(`${offending - listed} more 4xx answers had the same kind of problem`, wanted);
  },
};
