import type { Redis } from 'ioredis';
import type { StartupFindings } from '../partner-kit/startup-findings.js';

/**
 * What an operator should hear at start-up about the Redis server the provider was pointed at:
 * errors when stores cannot be created (unreachable, older than 7.0, no right to manage ACL
 * users), warnings when they can but something will surprise later. Nothing here stops
 * Stockroom: provisioning fails with a provider error until the server is fixed.
 */
export async function checkRedisServer(client: Redis, where: string, adminUrl: string): Promise<StartupFindings> {
  const errors: string[] = [];
  const warnings: string[] = [];
  let version: string;
  try {
    const info = (await client.call('INFO', 'server')) as string;
    version = /redis_version:([0-9.]+)/.exec(info)?.[1] ?? '0';
  } catch (error) {
    return { errors: [`cannot reach the Redis server at ${where}: ${error instanceof Error ? error.message : String(error)}`], warnings };
  }
  // Removing subcommands (`-script|flush`) and the FUNCTION command came with 7.0.
  if (Number(version.split('.')[0]) < 7) {
    errors.push(`the Redis server at ${where} is version ${version}; version 7.0 or later is needed`);
    return { errors, warnings };
  }

  try {
    const user = (await client.call('ACL', 'WHOAMI')) as string;
    const verdict = (await client.call('ACL', 'DRYRUN', user, 'ACL', 'SETUSER', 'sr_probe')) as string;
    if (verdict !== 'OK') errors.push(`the Redis user "${user}" may not manage ACL users (${verdict}), so no store can be created; use a user with +@admin`);
  } catch (error) {
    errors.push(`the Redis admin user may not run ACL commands, so no store can be created: ${error instanceof Error ? error.message : String(error)}`);
    return { errors, warnings };
  }

  try {
    const [, file] = (await client.call('CONFIG', 'GET', 'aclfile')) as string[];
    if (!file) {
      warnings.push(
        'Redis has no aclfile, so store users live in memory only and a Redis restart removes them (their keys stay); set aclfile so the provider saves every change',
      );
    }
  } catch {
    // CONFIG not allowed for this user: the save step will tell.
  }
  if (!['', '/', '/0'].includes(new URL(adminUrl).pathname)) {
    warnings.push('the admin URL names a database other than 0; stores always live in database 0, where their users are kept (they may not SELECT)');
  }
  return { errors, warnings };
}
