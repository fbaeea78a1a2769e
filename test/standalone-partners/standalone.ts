import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import type { TestContext } from 'node:test';
import { bundlesOf, DEFAULT_OUTFILE, ROOT } from '../../scripts/build-inputs.mjs';
import { assertFreshBuild, watch, type BuiltServer } from '../helpers/built-server.js';
import { parseAnswerBody } from '../reference-partner/harness.js';

/** The bundles `npm run reference-partner` and `npm run builtin-partner` run. */
export const REFERENCE_PARTNER_BUNDLE = bundleOf('reference-partner.mjs');
export const BUILTIN_PARTNER_BUNDLE = bundleOf('builtin-partner.mjs');

function bundleOf(file: string): string {
  const bundle = bundlesOf(DEFAULT_OUTFILE).find((b) => b.outfile === join(ROOT, 'dist', file));
  if (!bundle) throw new Error(`scripts/build-inputs.mjs builds no dist/${file}`);
  return bundle.outfile;
}

/** The tester's own partner settings must not reach the process: only what the test gives. */
function cleanEnv(env: Record<string, string>): NodeJS.ProcessEnv {
  const clean: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (!key.startsWith('REFERENCE_PARTNER_') && !key.startsWith('BUILTIN_PARTNER_') && key !== 'LOG_LEVEL') clean[key] = value;
  }
  return { ...clean, LOG_LEVEL: 'info', ...env };
}

/** Starts a standalone partner bundle with `args`, as `npm run …` does, and waits for its "listening on" line. */
export async function startStandalone(t: TestContext, bundle: string, args: readonly string[], env: Record<string, string> = {}): Promise<BuiltServer> {
  assertFreshBuild();
  const child = spawn(process.execPath, [bundle, ...args], { cwd: ROOT, env: cleanEnv(env), stdio: ['ignore', 'pipe', 'pipe'] });
  return watch(t, child, { listening: / listening on (http:\/\/[^"\s]+)"/ });
}

/** Runs a bundle that is expected to end by itself (a bad command line, `--help`). */
export async function runToExit(bundle: string, args: readonly string[], env: Record<string, string> = {}): Promise<{ code: number | null; stdout: string; stderr: string }> {
  assertFreshBuild();
  return finish(spawn(process.execPath, [bundle, ...args], { cwd: ROOT, env: cleanEnv(env), stdio: ['ignore', 'pipe', 'pipe'] }));
}

/** `npm <args>` in the checkout, to its end. */
export async function runNpm(args: readonly string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  assertFreshBuild();
  return finish(spawn('npm', [...args], { cwd: ROOT, env: cleanEnv({}), stdio: ['ignore', 'pipe', 'pipe'] }));
}

async function finish(child: ChildProcess): Promise<{ code: number | null; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  child.stdout?.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
  return { code, stdout, stderr };
}

export interface Answer {
  readonly status: number;
  readonly body: any;
}

/** One partner-API call with a bearer token (null: none). */
export async function call(baseUrl: string, method: string, path: string, token: string | null, body?: unknown, headers: Record<string, string> = {}): Promise<Answer> {
  const all: Record<string, string> = { ...headers };
  if (token !== null) all.authorization = `Bearer ${token}`;
  if (body !== undefined) all['content-type'] = 'application/json';
  const response = await fetch(`${baseUrl}${path}`, { method, headers: all, ...(body === undefined ? {} : { body: JSON.stringify(body) }) });
  return { status: response.status, body: parseAnswerBody(await response.text()) };
}

/** A valid Upsert Installation body with `accessToken` as the installation's token. */
export function installationBody(accessToken: string): Record<string, unknown> {
  return {
    scopes: ['read-write:integration-resource'],
    acceptedPolicies: { toc: '2024-02-28T10:00:00Z' },
    credentials: { access_token: accessToken, token_type: 'Bearer' },
    account: { name: 'H1 Team', url: 'https://stockroom.example/h1', contact: { email: 'owner@h1.test', name: 'Owner' } },
  };
}
