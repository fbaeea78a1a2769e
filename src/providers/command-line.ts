import { parseArgs } from 'node:util';

/**
 * Command-line flags over environment variables, for the standalone partners
 * (`reference-partner/main.ts`, `builtin-partner/main.ts`): each flag stands for one variable,
 * and a flag given wins over the variable. The variables are then read and checked by the
 * partner's own config schema, so a flag and its variable are checked alike.
 */
export interface Flag {
  /** Without the dashes, e.g. `port`. */
  readonly name: string;
  /** The variable it sets, e.g. `REFERENCE_PARTNER_PORT`. */
  readonly env: string;
  /** Placeholder of the value in the usage text, e.g. `N`, `URL`. */
  readonly value: string;
  readonly help: string;
}

/** The command line cannot be used as given: the process prints the message and exits 2. */
export class UsageError extends Error {
  override readonly name = 'UsageError';
}

export type ParsedCommandLine =
  | { readonly help: true }
  | { readonly help: false; readonly positionals: readonly string[]; readonly given: ReadonlyMap<string, string>; readonly env: Record<string, string> };

/**
 * Reads `argv` (without node and the script) against `flags`; `--help`/`-h` asks for the usage.
 * `env` maps each variable to the value of its flag, for the flags given. Unknown flags, a flag
 * without its value and more than `maxPositionals` other words are refused.
 */
export function parseCommandLine(argv: readonly string[], flags: readonly Flag[], maxPositionals = 0): ParsedCommandLine {
  let parsed: ReturnType<typeof parseArgs>;
  try {
    parsed = parseArgs({
      args: [...argv],
      options: { help: { type: 'boolean', short: 'h' }, ...Object.fromEntries(flags.map((f) => [f.name, { type: 'string' as const }])) },
      allowPositionals: true,
      strict: true,
    });
  } catch (error) {
    throw new UsageError(error instanceof Error ? error.message : String(error));
  }
  if (parsed.values.help === true) return { help: true };
  if (parsed.positionals.length > maxPositionals) throw new UsageError(`unexpected argument: ${parsed.positionals[maxPositionals]}`);
  const given = new Map<string, string>();
  const env: Record<string, string> = {};
  for (const flag of flags) {
    const value = parsed.values[flag.name];
    if (typeof value !== 'string') continue;
    if (value === '') throw new UsageError(`--${flag.name} needs a value (${flag.value})`);
    given.set(flag.name, value);
    env[flag.env] = value;
  }
  return { help: false, positionals: parsed.positionals, given, env };
}

/** The usage text: `synopsis`, then one line per flag with its variable. */
export function usageText(synopsis: string, flags: readonly Flag[], footer = ''): string {
  const left = flags.map((f) => `  --${f.name} ${f.value}`);
  const width = Math.max(...left.map((l) => l.length)) + 2;
  const lines = flags.map((f, i) => `${left[i]!.padEnd(width)}${f.help} (${f.env})`);
  return `usage: ${synopsis}\n\n${lines.join('\n')}\n  --help${' '.repeat(Math.max(1, width - 8))}this text\n${footer ? `\n${footer}\n` : ''}`;
}

/**
 * Runs `read` (a config loader); its `configError` becomes a UsageError naming each variable with
 * its flag, since either may have set it.
 */
export function readWithFlags<T>(flags: readonly Flag[], configError: abstract new (...args: never[]) => Error, read: () => T): T {
  try {
    return read();
  } catch (error) {
    if (!(error instanceof configError)) throw error;
    let text = error.message;
    for (const flag of flags) text = text.replaceAll(`  ${flag.env}:`, `  --${flag.name} (${flag.env}):`);
    throw new UsageError(text);
  }
}

/** Where a standalone partner listens and whom it trusts, over `<prefix>PORT`, `<prefix>JWKS_URL`, …. */
export function listeningFlags(prefix: string, defaults: { readonly port: string; readonly clientId: string }): Flag[] {
  return [
    { name: 'port', env: `${prefix}PORT`, value: 'N', help: `port to listen on, 0 for any; default ${defaults.port}` },
    { name: 'host', env: `${prefix}HOST`, value: 'H', help: 'address to listen on; default 127.0.0.1' },
    { name: 'jwks', env: `${prefix}JWKS_URL`, value: 'URL', help: 'the JWKS its callers sign with; default <issuer>/.well-known/jwks' },
    { name: 'issuer', env: `${prefix}ISSUER`, value: 'URL', help: "the JWT iss required; default the --jwks URL's origin, else http://127.0.0.1:3000" },
    { name: 'client-id', env: `${prefix}CLIENT_ID`, value: 'ID', help: `the JWT aud required; default ${defaults.clientId}` },
  ];
}

/** Where a standalone partner keeps its own tables, and the key that seals what they hold. */
export function storageFlags(prefix: string, defaults: { readonly sqlitePath: string; readonly sealed: string }): Flag[] {
  return [
    { name: 'database-url', env: `${prefix}DATABASE_URL`, value: 'URL', help: 'PostgreSQL for its own tables (needs --encryption-key)' },
    { name: 'sqlite-path', env: `${prefix}SQLITE_PATH`, value: 'PATH', help: `SQLite file otherwise; default ${defaults.sqlitePath}` },
    { name: 'encryption-key', env: `${prefix}ENCRYPTION_KEY`, value: 'K', help: `seals ${defaults.sealed}; default a key file beside the SQLite file` },
  ];
}

export const LOG_LEVEL_FLAG: Flag = { name: 'log-level', env: 'LOG_LEVEL', value: 'LEVEL', help: 'fatal|error|warn|info|debug|trace|silent; default info' };

/**
 * The issuer to require when only a JWKS URL is given: its origin, as with Vercel (issuer
 * https://marketplace.vercel.com, keys at https://marketplace.vercel.com/.well-known/jwks).
 */
export function issuerOfJwks(jwksUrl: string): string {
  try {
    const parsed = new URL(jwksUrl);
    if (parsed.protocol === 'http:' || parsed.protocol === 'https:') return parsed.origin;
  } catch {
    // refused below
  }
  throw new UsageError(`--jwks must be an http(s) URL, not ${JSON.stringify(jwksUrl)}`);
}
