// The test files `npm test` runs, one per line: every test/**/*.test.ts, the slowest first.
// The runner hands files to its three workers in this order; a long file handed out last would run
// alone at the end while the others idle, so the long ones go first and the workers finish
// together. SLOWEST_FIRST is measured (a full run's per-file times, slowest first); files
// not in it follow in name order, so a new test file always runs, and a renamed one is only
// started later than it could be.
import { readdirSync } from 'node:fs';
import { join } from 'node:path';

const SLOWEST_FIRST = [
  'test/fuzz/hostile-sizes.test.ts',
  'test/recovery/kill-then-uninstall.test.ts',
  'test/fuzz/store-endpoints.test.ts',
  'test/recovery/kill-at-provider.test.ts',
  'test/recovery/kill-before-live.test.ts',
  'test/recovery/kill-before-provider.test.ts',
  'test/http/uninstall-and-creates.test.ts',
  'test/recovery/kill-invoice.test.ts',
  'test/http/stores-connections.test.ts',
  'test/http/provisioning-limit.test.ts',
  'test/http/marketplace-install.test.ts',
  'test/cli/vercel-cli.test.ts',
  'test/http/partner-credentials.test.ts',
  'test/http/partner-billing-data.test.ts',
  'test/console/console.test.ts',
  'test/http/idempotency.test.ts',
  'test/http/rate-limit.test.ts',
  'test/fuzz/every-endpoint.test.ts',
  'test/http/uninstall-finalize.test.ts',
  'test/http/pagination-ties.test.ts',
  'test/http/store-status.test.ts',
  'test/recovery/provider-faults.test.ts',
  'test/http/webhooks.test.ts',
  'test/providers-real/postgres-provider.test.ts',
  'test/http/stores-list.test.ts',
  'test/http/installations.test.ts',
  'test/recovery/kill-past-deadline.test.ts',
  'test/http/sso.test.ts',
  'test/providers/partner-client-failures.test.ts',
  'test/build/npm-start.test.ts',
  'test/http/projects.test.ts',
  'test/http/accounts.test.ts',
  'test/fuzz/found-by-fuzz.test.ts',
  'test/http/idempotency-credentials.test.ts',
  'test/http/create-store-external-provider.test.ts',
  'test/reference-partner/partner-calls-back.test.ts',
  'test/recovery/recovery-rules.test.ts',
  'test/http/stores-delete.test.ts',
  'test/providers-real/redis-provider.test.ts',
  'test/contract/sdk-parity.test.ts',
  'test/contract/wire-schemas.test.ts',
  'test/http/token-scope.test.ts',
  'test/http/token-cache.test.ts',
  'test/http/stores-env.test.ts',
  'test/recovery/replicas-recovery.test.ts',
  'test/http/create-store-env-overrides.test.ts',
  'test/http/input-limits.test.ts',
  'test/http/free-plans.test.ts',
  'test/http/partner-invoices.test.ts',
  'test/http/bootstrap.test.ts',
  'test/http/members-sdk-paths.test.ts',
  'test/http/store-answers-match-schemas.test.ts',
  'test/recovery/pause-points.test.ts',
  'test/http/create-store.test.ts',
  'test/reference-partner/quota.test.ts',
  'test/reference-partner/persistence.test.ts',
  'test/http/new-routes-scope-and-replay.test.ts',
  'test/http/partner-push-clash.test.ts',
  'test/http/stores-rotate.test.ts',
  'test/reference-partner/calls-back.test.ts',
  'test/http/payment-methods.test.ts',
  'test/console/webhook-deliveries.test.ts',
  'test/reference-partner/webhooks-and-sso.test.ts',
  'test/console/store-invoices.test.ts',
  'test/http/errors.test.ts',
  'test/console/store-usage-and-sso.test.ts',
  'test/build/bundle.test.ts',
  'test/security/passphrase-key.test.ts',
  'test/http/partner-resources.test.ts',
  'test/security/secrets-at-rest.test.ts',
  'test/http/auth.test.ts',
  'test/http/storage-failure.test.ts',
  'test/docs/readme-snippets.test.ts',
  'test/http/last-owner.test.ts',
  'test/console/store-notification.test.ts',
  'test/build/bundle-sdk.test.ts',
  'test/recovery/kill-webhook-delivery.test.ts',
  'test/http/webhooks-replicas.test.ts',
  'test/http/partner-installation.test.ts',
  'test/reference-partner/partner-calls-back-webhooks.test.ts',
  'test/reference-partner/auth.test.ts',
  'test/http/partner-invoices-prepaid.test.ts',
  'test/catalog/schema-problems.test.ts',
  'test/http/project-delete-races.test.ts',
  'test/providers/partner-client-auth.test.ts',
  'test/providers/partner-client-responses.test.ts',
  'test/http/partner-invoices-recovery.test.ts',
  'test/http/concurrent-creates.test.ts',
  'test/reference-partner/resources.test.ts',
  'test/http/sdk-accounts.test.ts',
  'test/reference-partner/partner-calls-back-sso.test.ts',
  'test/reference-partner/hooks.test.ts',
  'test/reference-partner/secrets.test.ts',
  'test/reference-partner/installations.test.ts',
  'test/crypto/secret-box.test.ts',
  'test/http/shutdown.test.ts',
  'test/providers/signing-keys.test.ts',
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
