import { parseArgs } from 'node:util';
import type { StandInSettings } from './check-partner.js';
import type { CheckSettings } from './life.js';

/** Everything the command line decides. */
export interface CommandLine extends StandInSettings {
  readonly settings: CheckSettings;
  readonly json: boolean;
  readonly junitFile?: string;
}

export const USAGE = `Usage: npx stockroom check-partner --url URL --client-id ID --product SLUG [options]

Drives a Vercel Marketplace partner API through a whole life (install, plans, provision, read,
rotate, delete, uninstall, and the refusals it owes) and reports every departure from the spec.
Tokens are signed by the checker; the partner must trust its JWKS and issuer (printed at start).

  --url URL                 the partner API's base URL (the only host the checker sends to)
  --client-id ID            the integration's client id: the tokens' audience
  --product SLUG            the product to provision (the partner's product id)
  --metadata JSON           the resource's metadata, a JSON object (default {})
  --plan ID                 the paid plan to provision (default: the first paid plan offered)
  --jwks-port N             where the checker serves its JWKS and the callbacks (default 3199)
  --jwks-host HOST          the address it listens on (default 127.0.0.1)
  --public-url URL          how the partner reaches the checker (default http://127.0.0.1:<port>)
  --issuer URL              the tokens' iss (default: the public URL)
  --key-file PATH           the signing key, kept between runs (default .stockroom/check-partner-key.json)
  --ready-timeout-ms N      how long a pending resource may take to be ready (default 60000)
  --callback-timeout-ms N   how long an asynchronous rotation may take to push secrets (default 30000)
  --timeout-ms N            how long one answer may take (default 30000)
  --slow-ms N               answers slower than this are warnings (default 3000)
  --prefix TEXT             starts every resource name (default srcheck)
  --keep                    leave the resources and installations for inspection
  --json                    print the report as JSON on standard output (progress on standard error)
  --junit FILE              also write the report as JUnit XML
  -h, --help                this text

Exit code: 0 when no check failed, 1 when one did, 2 for a bad command line.
`;

export class UsageError extends Error {
  override readonly name = 'UsageError';
}

const OPTIONS = {
  url: { type: 'string' },
  'client-id': { type: 'string' },
  product: { type: 'string' },
  metadata: { type: 'string' },
  plan: { type: 'string' },
  'jwks-port': { type: 'string' },
  'jwks-host': { type: 'string' },
  'public-url': { type: 'string' },
  issuer: { type: 'string' },
  'key-file': { type: 'string' },
  'ready-timeout-ms': { type: 'string' },
  'callback-timeout-ms': { type: 'string' },
  'timeout-ms': { type: 'string' },
  'slow-ms': { type: 'string' },
  prefix: { type: 'string' },
  keep: { type: 'boolean' },
  json: { type: 'boolean' },
  junit: { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const;

/** Parses the arguments after `check-partner`; `help` when the person asked for the usage text. */
export function parseCommandLine(args: readonly string[]): CommandLine | 'help' {
  let values: ReturnType<typeof parseArgs<{ options: typeof OPTIONS; allowPositionals: false; strict: true }>>['values'];
  try {
    ({ values } = parseArgs({ args: [...args], options: OPTIONS, allowPositionals: false, strict: true }));
  } catch (error) {
    throw new UsageError(error instanceof Error ? error.message : String(error));
  }
  if (values.help) return 'help';
  const problems: string[] = [];
  const url = httpUrl(values.url, '--url', problems, true);
  const clientId = values['client-id'];
  if (!clientId) problems.push('--client-id is required: the integration client id the partner expects as the token audience');
  const product = values.product;
  if (!product) problems.push('--product is required: the product slug to provision (Provision Resource productId)');
  const metadata = jsonObject(values.metadata, problems);
  const integer = (name: keyof typeof OPTIONS, fallback: number, min: number, max: number): number => {
    const raw = values[name];
    if (raw === undefined) return fallback;
    const value = Number(raw);
    if (typeof raw !== 'string' || !/^[0-9]+$/.test(raw) || value < min || value > max) problems.push(`--${name} must be a whole number from ${min} to ${max}, not ${JSON.stringify(raw)}`);
    return value;
  };
  const jwksPort = integer('jwks-port', 3199, 0, 65535);
  const readyTimeoutMs = integer('ready-timeout-ms', 60_000, 0, 3_600_000);
  const callbackTimeoutMs = integer('callback-timeout-ms', 30_000, 0, 3_600_000);
  const timeoutMs = integer('timeout-ms', 30_000, 1, 600_000);
  const slowMs = integer('slow-ms', 3_000, 1, 600_000);
  const prefix = values.prefix ?? 'srcheck';
  if (!/^[a-z][a-z0-9-]{0,19}$/.test(prefix)) problems.push('--prefix must be 1–20 lowercase letters, digits and dashes, starting with a letter');
  const publicUrl = httpUrl(values['public-url'], '--public-url', problems, false);
  const issuer = values.issuer;
  if (issuer !== undefined && issuer.trim() === '') problems.push('--issuer must not be empty');
  if (problems.length > 0) throw new UsageError(problems.join('\n'));
  return {
    settings: {
      url: url!,
      clientId: clientId!,
      product: product!,
      metadata,
      ...(values.plan === undefined ? {} : { planId: values.plan }),
      readyTimeoutMs,
      callbackTimeoutMs,
      timeoutMs,
      slowMs,
      keep: values.keep ?? false,
      prefix,
    },
    jwksPort,
    jwksHost: values['jwks-host'] ?? '127.0.0.1',
    ...(publicUrl === undefined ? {} : { publicUrl }),
    ...(issuer === undefined ? {} : { issuer }),
    keyFile: values['key-file'] ?? '.stockroom/check-partner-key.json',
    json: values.json ?? false,
    ...(values.junit === undefined ? {} : { junitFile: values.junit }),
  };
}

function httpUrl(raw: string | undefined, flag: string, problems: string[], required: boolean): string | undefined {
  if (raw === undefined) {
    if (required) problems.push(`${flag} is required: the partner API's base URL, e.g. https://partner.example/api`);
    return undefined;
  }
  try {
    const parsed = new URL(raw);
    if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') throw new Error('not http');
    // Paths are appended to the URL as text: a query or fragment would swallow them, and
    // credentials in it would be printed in every report.
    if (parsed.search !== '' || parsed.hash !== '' || raw.includes('?') || raw.includes('#')) {
      problems.push(`${flag} must not have a query or a fragment: ${JSON.stringify(raw)}`);
      return undefined;
    }
    if (parsed.username !== '' || parsed.password !== '') {
      problems.push(`${flag} must not carry a user name or password`);
      return undefined;
    }
    return raw.replace(/\/+$/, '');
  } catch {
    problems.push(`${flag} must be an http:// or https:// URL, not ${JSON.stringify(raw)}`);
    return undefined;
  }
}

function jsonObject(raw: string | undefined, problems: string[]): Record<string, unknown> {
  if (raw === undefined) return {};
  try {
    const value: unknown = JSON.parse(raw);
    if (typeof value === 'object' && value !== null && !Array.isArray(value)) return value as Record<string, unknown>;
  } catch {
    // reported below
  }
  problems.push(`--metadata must be a JSON object, e.g. '{"region":"iad1"}', not ${JSON.stringify(raw)}`);
  return {};
}
