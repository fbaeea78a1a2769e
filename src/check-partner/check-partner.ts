import { randomBytes } from 'node:crypto';
import { CHECK_ORDER, DELETING_CHECKS } from './check-order.js';
import { summarize, type CheckResult, type ReportSummary } from './check-result.js';
import { runCheck, skippedResult, STOPPED } from './check-scope.js';
import { cleanUp, type CleanupReport } from './cleanup.js';
import type { CheckSettings, Life } from './life.js';
import { maskSecrets } from './masking.js';
import { createPartnerHttp } from './partner-http.js';
import { generateCheckerKey, loadOrCreateCheckerKey } from './signing-key-file.js';
import { startStandInVercel } from './stand-in-vercel.js';
import { createTokenMint, type TokenMint } from './token-mint.js';

/** Where the checker plays Vercel: its key, its issuer, and the server with the JWKS and callbacks. */
export interface StandInSettings {
  readonly jwksPort: number;
  readonly jwksHost: string;
  /** How the partner reaches the checker; default `http://<host>:<port>`. */
  readonly publicUrl?: string;
  /** The `iss` of every token; default the public URL. */
  readonly issuer?: string;
  readonly keyFile: string;
}

export interface CheckPartnerOptions extends StandInSettings {
  readonly settings: CheckSettings;
  /** Aborted by Ctrl-C: the current request ends, the other checks are skipped, the cleanup runs. */
  readonly signal: AbortSignal;
  /** Called once the JWKS is served, before the first request to the partner. */
  onListening?(where: { jwksUrl: string; issuer: string; callbackUrl: string }): void;
  onCheck?(result: CheckResult, index: number, total: number): void;
}

/** The whole report, secrets masked; `--json` prints it as it is. */
export interface CheckReport {
  readonly tool: 'stockroom check-partner';
  readonly version: 1;
  readonly partner: { readonly url: string; readonly clientId: string; readonly product: string };
  readonly issuer: string;
  readonly jwksUrl: string;
  readonly startedAt: string;
  readonly durationMs: number;
  readonly summary: ReportSummary;
  readonly checks: readonly CheckResult[];
  readonly cleanup: CleanupReport;
}

const USER_AGENT = 'stockroom check-partner (Marketplace partner API conformance)';
/** Deleting what is left must not wait as long as a check may. */
const CLEANUP_TIMEOUT_MS = 15_000;

/** Runs the scripted life against one partner and reports every check. */
export async function checkPartner(options: CheckPartnerOptions): Promise<CheckReport> {
  const { settings } = options;
  const started = Date.now();
  const key = await loadOrCreateCheckerKey(options.keyFile);
  const strangerKey = await generateCheckerKey(`${key.kid}-stranger`);
  const vercel = await startStandInVercel({ port: options.jwksPort, host: options.jwksHost, ...(options.publicUrl ? { publicUrl: options.publicUrl } : {}), jwks: { keys: [key.publicJwk] } });
  try {
    const issuer = (options.issuer ?? vercel.url).replace(/\/+$/, '');
    const jwksUrl = `${vercel.url}/.well-known/jwks`;
    options.onListening?.({ jwksUrl, issuer, callbackUrl: vercel.url });
    const runId = randomBytes(4).toString('hex');
    const sensitive = new Set<string>();
    const life: Life = {
      settings,
      http: createPartnerHttp({ baseUrl: settings.url, timeoutMs: settings.timeoutMs, signal: options.signal, userAgent: USER_AGENT }),
      mint: rememberingTokens(
        createTokenMint({
          issuer,
          audience: settings.clientId,
          identity: { accountId: `team_srcheck${runId}`, userId: `user_srcheck${runId}`, userEmail: 'check-partner@example.com', userName: 'stockroom check-partner' },
          key,
          strangerKey,
        }),
        sensitive,
      ),
      vercel,
      signal: options.signal,
      runId,
      installationId: `icfg_srcheck${runId}a`,
      otherInstallationId: `icfg_srcheck${runId}b`,
      accessToken: `srcheck_at_${randomBytes(24).toString('base64url')}`,
      otherAccessToken: `srcheck_at_${randomBytes(24).toString('base64url')}`,
      resources: [],
      liveInstallations: new Set(),
      sensitive,
      notServed: new Set(),
    };
    life.sensitive.add(life.accessToken).add(life.otherAccessToken);

    const results: CheckResult[] = [];
    for (const [index, check] of CHECK_ORDER.entries()) {
      const result = options.signal.aborted
        ? skippedResult(check, STOPPED)
        : settings.keep && DELETING_CHECKS.has(check.id)
          ? skippedResult(check, '--keep leaves the resources and the installation for inspection')
          : await runCheck(check, life.http, { slowMs: settings.slowMs, signal: options.signal }, (scope) => check.run(scope, life));
      results.push(result);
      options.onCheck?.(maskSecrets(result, life.sensitive), index, CHECK_ORDER.length);
    }
    const cleanup = await cleanUp(life, createPartnerHttp({ baseUrl: settings.url, timeoutMs: Math.min(settings.timeoutMs, CLEANUP_TIMEOUT_MS), signal: new AbortController().signal, userAgent: USER_AGENT }));
    const report: CheckReport = {
      tool: 'stockroom check-partner',
      version: 1,
      partner: { url: settings.url, clientId: settings.clientId, product: settings.product },
      issuer,
      jwksUrl,
      startedAt: new Date(started).toISOString(),
      durationMs: Date.now() - started,
      summary: summarize(results),
      checks: results,
      cleanup,
    };
    return maskSecrets(report, life.sensitive);
  } finally {
    await vercel.close();
  }
}

/**
 * Every token the checker signs is valid for minutes against any partner that trusts its key: one
 * echoed in an answer (an error message quoting it, say) must be masked like a secret.
 */
function rememberingTokens(mint: TokenMint, sensitive: Set<string>): TokenMint {
  const remember = (token: string) => (sensitive.add(token), token);
  return {
    user: async (...args) => remember(await mint.user(...args)),
    system: async (...args) => remember(await mint.system(...args)),
  };
}
