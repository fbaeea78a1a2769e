import pg from 'pg';
import type { Secret } from '../reference-partner/secrets.js';
import type { BackendResource, Credential, PlanLimits, ResourceBackend } from '../partner-kit/backend.js';
import { scramSha256Verifier } from './scram-verifier.js';
import { serverAddress, urlHost, type ServerAddress } from './server-address.js';

/**
 * A store on a PostgreSQL server: a database, a NOLOGIN role that owns it (`sr_<id>`), and one
 * LOGIN role per credential generation (`sr_<id>_1`, `sr_<id>_2` after a rotation) that is a
 * member of the owner and starts every session as it (`ALTER ROLE … SET role`), so whatever an
 * application creates belongs to the owner and survives rotations. PostgreSQL keeps one password
 * per role, so a second login role is what lets the old and the new password work side by side
 * during a rotation's delay; revoking the old one is `NOLOGIN` plus ending its sessions, which
 * the server enforces whatever its pg_hba.conf says.
 *
 * Nobody else gets in: `REVOKE ALL ON DATABASE … FROM PUBLIC` leaves CONNECT to the owner (and
 * superusers), so another store's role gets "permission denied for database".
 */
export interface PostgresBackendSettings {
  /** An admin connection URL: a superuser, or a role with CREATEDB and CREATEROLE. */
  readonly adminUrl: string;
  /** `host[:port]` applications use, when not the admin URL's. */
  readonly publicHost?: string;
}

/** SQLSTATEs that mean "already there" or "already gone", the successes of a converging step. */
const DUPLICATE_OBJECT = '42710';
const DUPLICATE_DATABASE = '42P04';
const UNIQUE_VIOLATION = '23505';
const UNDEFINED_OBJECT = '42704';

export interface PostgresBackend extends ResourceBackend {
  /** The admin pool, for the start-up check. */
  readonly pool: pg.Pool;
}

export function createPostgresBackend(settings: PostgresBackendSettings): PostgresBackend {
  const pool = new pg.Pool({ connectionString: settings.adminUrl, max: 3, connectionTimeoutMillis: 5000, idleTimeoutMillis: 10_000 });
  // An idle client's error (server restart) must not crash Stockroom; the pool replaces it.
  pool.on('error', () => {});
  const address: ServerAddress = serverAddress(settings.adminUrl, settings.publicHost);
  const id = pg.escapeIdentifier;
  let adminFacts: Promise<{ superuser: boolean; version: number }> | undefined;

  const run = (sql: string, params?: unknown[]) => pool.query(sql, params);
  /** Runs a statement whose failure with one of `codes` means the wanted state already holds. */
  const converge = async (sql: string, codes: readonly string[]): Promise<boolean> => {
    try {
      await run(sql);
      return true;
    } catch (error) {
      if (codes.includes((error as { code?: string }).code ?? '')) return false;
      throw error;
    }
  };
  const facts = () =>
    (adminFacts ??= run(`SELECT rolsuper, current_setting('server_version_num')::int AS version FROM pg_roles WHERE rolname = current_user`).then(
      ({ rows }) => ({ superuser: rows[0]?.rolsuper === true, version: Number(rows[0]?.version ?? 0) }),
      (error: unknown) => {
        adminFacts = undefined;
        throw error;
      },
    ));

  async function ensureOwnerRole(owner: string): Promise<void> {
    await converge(`CREATE ROLE ${id(owner)} NOLOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION`, [DUPLICATE_OBJECT, UNIQUE_VIOLATION]);
    // A non-superuser admin must be a member of the owner to create its database and drop it later.
    if (!(await facts()).superuser) await run(`GRANT ${id(owner)} TO CURRENT_USER`);
  }

  async function ensureLoginRole(owner: string, credential: Credential, limits: PlanLimits): Promise<void> {
    const login = id(credential.login);
    const password = pg.escapeLiteral(scramSha256Verifier(credential.password));
    const limit = connectionLimit(limits);
    const created = await converge(
      `CREATE ROLE ${login} LOGIN PASSWORD ${password} CONNECTION LIMIT ${limit} NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION INHERIT IN ROLE ${id(owner)}`,
      [DUPLICATE_OBJECT, UNIQUE_VIOLATION],
    );
    if (!created) {
      // Left by an earlier attempt: bring it to the wanted state (the password is the stored one).
      await run(`ALTER ROLE ${login} LOGIN PASSWORD ${password} CONNECTION LIMIT ${limit}`);
      await run(`GRANT ${id(owner)} TO ${login}`);
    }
    await run(`ALTER ROLE ${login} SET role TO ${pg.escapeLiteral(owner)}`);
  }

  async function ensureDatabase(database: string, owner: string, limits: PlanLimits): Promise<void> {
    const limit = connectionLimit(limits);
    // CREATE DATABASE cannot run in a transaction, so each step stands alone and converges.
    const created = await converge(`CREATE DATABASE ${id(database)} OWNER ${id(owner)} CONNECTION LIMIT ${limit}`, [DUPLICATE_DATABASE, UNIQUE_VIOLATION]);
    if (!created) {
      await run(`ALTER DATABASE ${id(database)} OWNER TO ${id(owner)}`);
      await run(`ALTER DATABASE ${id(database)} CONNECTION LIMIT ${limit}`);
    }
    await run(`REVOKE ALL ON DATABASE ${id(database)} FROM PUBLIC`);
  }

  async function endSessions(column: 'usename' | 'datname', value: string): Promise<void> {
    await run(`SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE ${column} = $1 AND pid <> pg_backend_pid()`, [value]);
  }

  return {
    serverName: 'PostgreSQL',
    pool,
    loginFor: (handle, generation) => `${handle}_${generation}`,

    async create(resource, credential, limits) {
      await ensureOwnerRole(resource.handle);
      await ensureLoginRole(resource.handle, credential, limits);
      await ensureDatabase(resource.handle, resource.handle, limits);
    },

    async addCredential(resource, credential, limits) {
      await ensureLoginRole(resource.handle, credential, limits);
    },

    async revokeCredential(_resource, credential) {
      // NOLOGIN first, so a session cannot be opened between the two steps.
      if (await converge(`ALTER ROLE ${id(credential.login)} NOLOGIN PASSWORD NULL`, [UNDEFINED_OBJECT])) await endSessions('usename', credential.login);
    },

    async applyLimits(resource, logins, limits) {
      const limit = connectionLimit(limits);
      await run(`ALTER DATABASE ${id(resource.handle)} CONNECTION LIMIT ${limit}`);
      for (const login of logins) await converge(`ALTER ROLE ${id(login)} CONNECTION LIMIT ${limit}`, [UNDEFINED_OBJECT]);
    },

    async destroy(resource, logins) {
      for (const login of logins) await converge(`ALTER ROLE ${id(login)} NOLOGIN`, [UNDEFINED_OBJECT]);
      await endSessions('datname', resource.handle);
      // FORCE (PostgreSQL 13+) also ends sessions that slipped in after the line above.
      const force = (await facts()).version >= 130000 ? ' WITH (FORCE)' : '';
      await run(`DROP DATABASE IF EXISTS ${id(resource.handle)}${force}`);
      for (const login of logins) await run(`DROP ROLE IF EXISTS ${id(login)}`);
      await run(`DROP ROLE IF EXISTS ${id(resource.handle)}`);
    },

    secrets(resource, credential) {
      return postgresSecrets(address, resource, credential);
    },

    async close() {
      await pool.end();
    },
  };
}

/** The plan's connection limit; a plan without one gets PostgreSQL's "no limit" (-1). */
function connectionLimit(limits: PlanLimits): number {
  const limit = limits.connectionLimit;
  return typeof limit === 'number' && Number.isInteger(limit) && limit >= 1 ? limit : -1;
}

/** The usual libpq variables and a URL; letters and digits only in user and password, so nothing needs escaping. */
function postgresSecrets(address: ServerAddress, resource: BackendResource, credential: Credential): Secret[] {
  const query = address.sslmode ? `?sslmode=${encodeURIComponent(address.sslmode)}` : '';
  const url = `postgres://${credential.login}:${credential.password}@${urlHost(address.host)}:${address.port}/${resource.handle}${query}`;
  return [
    { name: 'POSTGRES_URL', value: url },
    { name: 'PGHOST', value: address.host },
    { name: 'PGPORT', value: String(address.port) },
    { name: 'PGUSER', value: credential.login },
    { name: 'PGPASSWORD', value: credential.password },
    { name: 'PGDATABASE', value: resource.handle },
  ];
}
