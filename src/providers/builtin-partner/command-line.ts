import { issuerOfJwks, listeningFlags, LOG_LEVEL_FLAG, parseCommandLine, storageFlags, UsageError, usageText, type Flag } from '../command-line.js';
import { findRealProvider, REAL_PROVIDERS, type RealProvider } from '../builtin-real-providers.js';

/** The flags of `npm run builtin-partner -- postgres|redis`, each over its `BUILTIN_PARTNER_*` variable. */
export const BUILTIN_PARTNER_FLAGS: readonly Flag[] = [
  { name: 'admin-url', env: 'BUILTIN_PARTNER_ADMIN_URL', value: 'URL', help: 'the PostgreSQL or Redis server it provisions on, as an admin (required)' },
  { name: 'public-host', env: 'BUILTIN_PARTNER_PUBLIC_HOST', value: 'H', help: "host written into the secrets; default the admin URL's" },
  ...listeningFlags('BUILTIN_PARTNER_', { port: '3101 (postgres), 3102 (redis)', clientId: 'the clientId of catalog/builtin-<provider>.json' }),
  ...storageFlags('BUILTIN_PARTNER_', { sqlitePath: './.stockroom/builtin-<provider>.db', sealed: 'the passwords it keeps' }),
  { name: 'revocation-interval-ms', env: 'BUILTIN_PARTNER_REVOCATION_INTERVAL_MS', value: 'N', help: 'how often old credentials due for revocation are looked for; default 2000' },
  LOG_LEVEL_FLAG,
];

export const BUILTIN_PARTNER_USAGE = usageText(
  `npm run builtin-partner -- ${REAL_PROVIDERS.map((p) => p.name).join('|')} --admin-url URL [--port N] [--jwks URL] [flags…]`,
  BUILTIN_PARTNER_FLAGS,
  'Every flag may be given as its environment variable instead; a flag wins. Exit 2 on a bad command line or configuration.',
);

/** The provider named on the command line and the environment its config is read from (flags over `env`). */
export function builtinPartnerEnvironment(
  argv: readonly string[],
  env: Record<string, string | undefined>,
): { help: true } | { help: false; provider: RealProvider; env: Record<string, string | undefined>; given: ReadonlyMap<string, string> } {
  const parsed = parseCommandLine(argv, BUILTIN_PARTNER_FLAGS, 1);
  if (parsed.help) return parsed;
  const name = parsed.positionals[0];
  const provider = name === undefined ? undefined : findRealProvider(name);
  if (!provider) {
    const names = REAL_PROVIDERS.map((p) => p.name).join(' or ');
    throw new UsageError(name === undefined ? `name the provider to run: ${names}` : `unknown provider ${JSON.stringify(name)}: ${names}`);
  }
  const merged: Record<string, string | undefined> = { ...env, ...parsed.env };
  if (!merged.BUILTIN_PARTNER_ADMIN_URL) throw new UsageError('--admin-url URL is required (or BUILTIN_PARTNER_ADMIN_URL): the server to provision on');
  const jwks = merged.BUILTIN_PARTNER_JWKS_URL;
  if (jwks !== undefined && !parsed.given.has('issuer') && !env.BUILTIN_PARTNER_ISSUER) merged.BUILTIN_PARTNER_ISSUER = issuerOfJwks(jwks);
  return { help: false, provider, env: merged, given: parsed.given };
}
