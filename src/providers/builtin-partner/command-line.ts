import { issuerOfJwks, parseCommandLine, UsageError, usageText, type Flag } from '../command-line.js';
import { findRealProvider, REAL_PROVIDERS, type RealProvider } from '../builtin-real-providers.js';

/** The flags of `npm run builtin-partner -- postgres|redis`, each over its `BUILTIN_PARTNER_*` variable. */
export const BUILTIN_PARTNER_FLAGS: readonly Flag[] = [
  { name: 'admin-url', env: 'BUILTIN_PARTNER_ADMIN_URL', value: 'URL', help: 'the PostgreSQL or Redis server it provisions on, as an admin (required)' },
  { name: 'public-host', env: 'BUILTIN_PARTNER_PUBLIC_HOST', value: 'H', help: "host written into the secrets; default the admin URL's" },
  { name: 'port', env: 'BUILTIN_PARTNER_PORT', value: 'N', help: 'port to listen on, 0 for any; default 3101 (postgres), 3102 (redis)' },
  { name: 'host', env: 'BUILTIN_PARTNER_HOST', value: 'H', help: 'address to listen on; default 127.0.0.1' },
  { name: 'jwks', env: 'BUILTIN_PARTNER_JWKS_URL', value: 'URL', help: 'the JWKS its callers sign with; default <issuer>/.well-known/jwks' },
  { name: 'issuer', env: 'BUILTIN_PARTNER_ISSUER', value: 'URL', help: "the JWT iss required; default the --jwks URL's origin, else http://127.0.0.1:3000" },
  { name: 'client-id', env: 'BUILTIN_PARTNER_CLIENT_ID', value: 'ID', help: 'the JWT aud required; default the clientId of catalog/builtin-<provider>.json' },
  { name: 'database-url', env: 'BUILTIN_PARTNER_DATABASE_URL', value: 'URL', help: 'PostgreSQL for its bookkeeping (needs --encryption-key)' },
  { name: 'sqlite-path', env: 'BUILTIN_PARTNER_SQLITE_PATH', value: 'PATH', help: 'SQLite file otherwise; default ./.stockroom/builtin-<provider>.db' },
  { name: 'encryption-key', env: 'BUILTIN_PARTNER_ENCRYPTION_KEY', value: 'K', help: 'seals the passwords it keeps; default a key file beside the SQLite file' },
  { name: 'revocation-interval-ms', env: 'BUILTIN_PARTNER_REVOCATION_INTERVAL_MS', value: 'N', help: 'how often old credentials due for revocation are looked for; default 2000' },
  { name: 'log-level', env: 'LOG_LEVEL', value: 'LEVEL', help: 'fatal|error|warn|info|debug|trace|silent; default info' },
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
  const jwks = parsed.given.get('jwks');
  if (jwks !== undefined && !parsed.given.has('issuer') && !env.BUILTIN_PARTNER_ISSUER) merged.BUILTIN_PARTNER_ISSUER = issuerOfJwks(jwks);
  return { help: false, provider, env: merged, given: parsed.given };
}
