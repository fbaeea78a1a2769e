// The test files `npm test` runs, one per line: every test/**/*.test.ts, the slowest first.
// The runner hands files to its two workers in this order; a long file handed out last would run
// alone at the end while the other worker idles, so the long ones go first and the two workers
// finish together. SLOWEST_FIRST is measured (a full run's per-file times, slowest first); files
// not in it follow in name order, so a new test file always runs, and a renamed one is only
// started later than it could be.
import { readdirSync } from 'node:fs';
import { join } from 'node:path';

const SLOWEST_FIRST = [
  'test/cli/vercel-cli.test.ts',
  'test/fuzz/hostile-sizes.test.ts',
  'test/fuzz/every-endpoint.test.ts',
  'test/http/create-store.test.ts',
  'test/fuzz/store-endpoints.test.ts',
  'test/http/idempotency.test.ts',
  'test/console/console.test.ts',
  'test/http/stores-connections.test.ts',
  'test/http/payment-methods.test.ts',
  'test/http/pagination-ties.test.ts',
  'test/contract/wire-schemas.test.ts',
  'test/fuzz/found-by-fuzz.test.ts',
  'test/build/npm-start.test.ts',
  'test/http/marketplace-install.test.ts',
  'test/http/installations.test.ts',
  'test/http/errors.test.ts',
  'test/recovery/kill-then-uninstall.test.ts',
  'test/http/auth.test.ts',
  'test/catalog/schema-problems.test.ts',
  'test/http/stores-delete.test.ts',
  'test/http/rate-limit.test.ts',
  'test/recovery/provider-faults.test.ts',
  'test/http/provisioning-limit.test.ts',
  'test/http/stores-env.test.ts',
  'test/http/idempotency-credentials.test.ts',
  'test/http/create-store-env-overrides.test.ts',
  'test/http/stores-list.test.ts',
  'test/build/bundle.test.ts',
  'test/http/accounts.test.ts',
  'test/http/projects.test.ts',
  'test/http/uninstall-and-creates.test.ts',
  'test/http/create-store-external-provider.test.ts',
  'test/recovery/kill-before-live.test.ts',
  'test/providers/partner-client-failures.test.ts',
  'test/contract/sdk-parity.test.ts',
  'test/recovery/recovery-rules.test.ts',
  'test/http/store-status.test.ts',
  'test/http/bootstrap.test.ts',
  'test/build/bundle-sdk.test.ts',
];

function testFiles(dir) {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return testFiles(path);
    return entry.name.endsWith('.test.ts') ? [path] : [];
  });
}

const all = testFiles('test').sort();
const rank = (file) => {
  const i = SLOWEST_FIRST.indexOf(file);
  return i === -1 ? SLOWEST_FIRST.length : i;
};
const ordered = [...all].sort((a, b) => rank(a) - rank(b) || (a < b ? -1 : 1));
process.stdout.write(`${ordered.join('\n')}\n`);
