import { isObject } from './wire-rules.js';

/** Secret names whose values are credentials; PGHOST or KV_PREFIX are not, and may appear anywhere. */
const CREDENTIAL_NAME = /PASS|SECRET|TOKEN|KEY|URL|URI|DSN|CONN|CRED|AUTH|PRIVATE|SIGNING/i;
/** Shorter values would be found by chance in unrelated text. */
const MIN_CREDENTIAL_LENGTH = 8;

/** The values among a resource's secrets that must not appear in anything Vercel shows or logs. */
export function credentialValues(secrets: ReadonlyArray<{ name: string; value: string }>): string[] {
  return secrets.filter((s) => CREDENTIAL_NAME.test(s.name) && s.value.length >= MIN_CREDENTIAL_LENGTH).map((s) => s.value);
}

/**
 * Where in `value` a credential appears, as paths (`metadata.url`, `notification.message`). A
 * partner that echoes a password in a resource's name, metadata or notification hands it to
 * every dashboard, log line and support ticket that shows the resource.
 */
export function leakPaths(value: unknown, credentials: readonly string[], path = ''): string[] {
  if (credentials.length === 0) return [];
  if (typeof value === 'string') return credentials.some((c) => value.includes(c)) ? [path || '(the body)'] : [];
  if (Array.isArray(value)) return value.flatMap((item, i) => leakPaths(item, credentials, `${path}[${i}]`));
  if (isObject(value)) return Object.entries(value).flatMap(([key, item]) => leakPaths(item, credentials, path ? `${path}.${key}` : key));
  return [];
}
