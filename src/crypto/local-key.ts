import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { randomBytes } from 'node:crypto';

/**
 * Zero-configuration SQLite needs a key for secrets at rest: one (32 random bytes, hex) is
 * generated on the first start and kept at `path`, beside the database, readable by this user only.
 */
export function loadOrCreateLocalKey(path: string): string {
  if (existsSync(path)) {
    // A key file from before it was always created so, or copied in by hand.
    chmodSync(path, 0o600);
    return readFileSync(path, 'utf8').trim();
  }
  mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
  const key = randomBytes(32).toString('hex');
  writeFileSync(path, `${key}\n`, { mode: 0o600, flag: 'wx' });
  chmodSync(path, 0o600);
  return key;
}
