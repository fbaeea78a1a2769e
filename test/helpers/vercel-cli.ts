import { execFile } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** The pinned CLI's entry point (devDependency `vercel@58.4.4`). */
const VERCEL_BIN = join(createRequire(import.meta.url).resolve('vercel/package.json'), '..', 'dist', 'vc.js');

export interface CliResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
  /** stdout and stderr together: the CLI writes messages to stderr and data to stdout. */
  readonly output: string;
}

export interface CliOptions {
  /** The directory the CLI runs in (a linked project has `.vercel/project.json` there). */
  readonly cwd: string;
  readonly apiUrl: string;
  readonly token: string;
  /** How long the CLI may run before it is killed; 30 s unless a test expects its retries and backoff. */
  readonly timeoutMs?: number;
}

/** The command line and environment of one isolated CLI run (see `runVercel`). */
export function vercelInvocation(args: readonly string[], options: CliOptions, mode: { readonly interactive?: boolean } = {}): { argv: string[]; env: Record<string, string> } {
  const home = mkdtempSync(join(tmpdir(), 'stockroom-cli-home-'));
  const env = {
    PATH: process.env.PATH ?? '/usr/bin:/bin',
    HOME: home,
    VERCEL_TELEMETRY_DISABLED: '1',
    NO_UPDATE_NOTIFIER: '1',
    NO_COLOR: '1',
    FORCE_COLOR: '0',
  };
  const argv = [VERCEL_BIN, ...args, '--api', options.apiUrl, '--token', options.token, '--global-config', join(home, 'vercel'), ...(mode.interactive ? [] : ['--non-interactive'])];
  return { argv, env };
}

/**
 * Runs the real `vercel` CLI against a Stockroom, isolated from this machine: its own global
 * config directory and HOME, no telemetry or update check, no prompts, no colours. The
 * environment is built from scratch so that variables of the machine running the tests (CI
 * markers, AI-agent markers, VERCEL_* settings) cannot change how the CLI behaves.
 */
export async function runVercel(args: readonly string[], options: CliOptions): Promise<CliResult> {
  const { argv, env } = vercelInvocation(args, options);
  return new Promise((resolve, reject) => {
    execFile(process.execPath, argv, { cwd: options.cwd, env, timeout: options.timeoutMs ?? 30_000, maxBuffer: 4 * 1024 * 1024 }, (error, stdout, stderr) => {
      if (error && typeof error.code !== 'number') return reject(error);
      const code = error ? Number(error.code) : 0;
      resolve({ code, stdout, stderr, output: `${stdout}${stderr}` });
    });
  });
}
