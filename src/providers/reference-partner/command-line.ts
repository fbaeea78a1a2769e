import { issuerOfJwks, listeningFlags, LOG_LEVEL_FLAG, parseCommandLine, storageFlags, usageText, type Flag } from '../command-line.js';

/** The flags of `npm run reference-partner`, each over its `REFERENCE_PARTNER_*` variable. */
export const REFERENCE_PARTNER_FLAGS: readonly Flag[] = [
  ...listeningFlags('REFERENCE_PARTNER_', { port: '3100', clientId: 'oac_reference' }),
  { name: 'vercel-url', env: 'REFERENCE_PARTNER_STOCKROOM_URL', value: 'URL', help: 'where it calls Vercel (Stockroom) back; default the issuer' },
  { name: 'client-secret', env: 'REFERENCE_PARTNER_CLIENT_SECRET', value: 'S', help: 'verifies webhooks, exchanges SSO codes' },
  ...storageFlags('REFERENCE_PARTNER_', { sqlitePath: './.stockroom/reference-partner.db', sealed: 'its secrets and tokens' }),
  { name: 'rotation', env: 'REFERENCE_PARTNER_ROTATION', value: 'sync|async', help: 'Request Secrets Rotation answers 200 with the secrets, or 202 and pushes them; default sync' },
  { name: 'job-interval-ms', env: 'REFERENCE_PARTNER_JOB_INTERVAL_MS', value: 'N', help: 'how often its billing jobs run, 0 for never; default 60000' },
  LOG_LEVEL_FLAG,
];

export const REFERENCE_PARTNER_USAGE = usageText(
  'npm run reference-partner -- [--port N] [--jwks URL] [--issuer URL] [flags…]',
  REFERENCE_PARTNER_FLAGS,
  'Every flag may be given as its environment variable instead; a flag wins. Exit 2 on a bad command line or configuration.',
);

/**
 * The environment the reference partner's config is read from: `env` with the flags of `argv`
 * over it, or `help` for `--help`. Given a JWKS URL (`--jwks` or its variable) and no issuer (flag or variable), the issuer is
 * the JWKS URL's origin (`issuerOfJwks`).
 */
export function referencePartnerEnvironment(argv: readonly string[], env: Record<string, string | undefined>): { help: true } | { help: false; env: Record<string, string | undefined>; given: ReadonlyMap<string, string> } {
  const parsed = parseCommandLine(argv, REFERENCE_PARTNER_FLAGS);
  if (parsed.help) return parsed;
  const merged: Record<string, string | undefined> = { ...env, ...parsed.env };
  // The flag or its variable: every flag stands for its variable, this default included.
  const jwks = merged.REFERENCE_PARTNER_JWKS_URL;
  if (jwks !== undefined && !parsed.given.has('issuer') && !env.REFERENCE_PARTNER_ISSUER) {
    merged.REFERENCE_PARTNER_ISSUER = issuerOfJwks(jwks);
  }
  return { help: false, env: merged, given: parsed.given };
}
