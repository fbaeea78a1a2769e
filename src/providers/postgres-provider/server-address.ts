/**
 * Where applications reach the PostgreSQL server, taken from the admin URL unless the operator
 * names another address (the provider may reach the server on a private address that apps do
 * not use). Only `sslmode` is carried over from the admin URL's options: the rest (user,
 * password, application_name…) are the admin's.
 */
export interface ServerAddress {
  readonly host: string;
  readonly port: number;
  readonly sslmode: string | null;
}

/** `publicHost` is `host` or `host:port`, e.g. `db.internal.example:5432`. */
export function serverAddress(adminUrl: string, publicHost?: string): ServerAddress {
  const admin = new URL(adminUrl);
  const sslmode = admin.searchParams.get('sslmode');
  if (publicHost) {
    const parsed = new URL(`postgres://${publicHost}`);
    return { host: stripBrackets(parsed.hostname), port: Number(parsed.port || admin.port || 5432), sslmode };
  }
  return { host: stripBrackets(admin.hostname) || 'localhost', port: Number(admin.port || 5432), sslmode };
}

/** The host as a URL needs it: IPv6 addresses in brackets. */
export function urlHost(host: string): string {
  return host.includes(':') ? `[${host}]` : host;
}

function stripBrackets(host: string): string {
  return host.replace(/^\[(.*)\]$/, '$1');
}
