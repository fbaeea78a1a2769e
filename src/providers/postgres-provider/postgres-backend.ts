import pg from 'pg';
import type { Secret } from '../partner-kit/secret.js';
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
  const pool = new pg.Pool({ connectionString: settings.adminUrl, max: 5, connectionTimeoutMillis: 5000, idleTimeoutMillis: 10_000 });
  // An idle client's error (server restart) must not crash Stockroom; the pool replaces it.
  pool.on('error', () => {});
  // A client in use emits 'error' too when its connection drops mid-query (server restart,
  // pg_terminate_backend), and the pool listens only to idle ones: with no listener that event
  // would crash the process. The query itself is rejected separately and answered as a failure.
  pool.on('connect', (client) => client.on('error', () => {}));
  const address: ServerAddress = serverAddress(settings.adminUrl, settings.publicHost);
  const id = pg.escapeIdentifier;
  let adminFacts: Promise<{ superuser: boolean; version: number }> | undefined;

  /** Runs a statement whose failure with one of `codes` means the wanted state already holds. */
  const converge = async (client: pg.ClientBase, sql: string, codes: readonly string[]): Promise<boolean> => {
    try {
      await client.query(sql);
      return true;
    } catch (error) {
      if (codes.includes((error as { code?: string }).code ?? '')) return false;
      throw error;
    }
  };
  const facts = () =>
    (adminFacts ??= pool.query(`SELECT rolsuper, current_setting('server_version_num')::int AS version FROM pg_roles WHERE rolname = current_user`).then(
      ({ rows }) => ({ superuser: rows[0]?.rolsuper === true, version: Number(rows[0]?.version ?? 0) }),
      (error: unknown) => {
        adminFacts = undefined;
        throw error;
      },
    ));

  /**
   * Runs one resource's steps on one admin session holding an advisory lock on the resource's
   * handle. Two requests working on the same roles at once (a retry racing the request it
   * retries, on any replica) would otherwise fail with "tuple concurrently updated"; a session
   * lock (not a transaction lock: CREATE DATABASE cannot run in a transaction) is also released
   * by the server if the session dies.
   */
  async function locked<T>(handle: string, work: (client: pg.PoolClient) => Promise<T>): Promise<T> {
    // Read before taking a session: sessions waiting on the lock could otherwise hold the whole pool.
    await facts();
    const client = await pool.connect();
    let healthy = true;
    try {
      await client.query(`SELECT pg_advisory_lock(hashtext($1))`, [`stockroom-resource:${handle}`]);
      try {
        return await work(client);
      } finally {
        await client.query(`SELECT pg_advisory_unlock(hashtext($1))`, [`stockroom-resource:${handle}`]).catch(() => {
          healthy = false;
        });
      }
    } catch (error) {
      healthy = false;
      throw error;
    } finally {
      // A session that failed may still hold the lock: destroy it rather than pool it.
      client.release(!healthy);
    }
  }

  async function ensureOwnerRole(client: pg.ClientBase, owner: string): Promise<void> {
    await converge(client, `CREATE ROLE ${id(owner)} NOLOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION`, [DUPLICATE_OBJECT, UNIQUE_VIOLATION]);
    // A non-superuser admin must be a member of the owner to create its database and drop it later.
    if (!(await facts()).superuser) await client.query(`GRANT ${id(owner)} TO CURRENT_USER`);
  }

  async function ensureLoginRole(client: pg.ClientBase, owner: string, credential: Credential, limits: PlanLimits): Promise<void> {
    const login = id(credential.login);
    const password = pg.escapeLiteral(scramSha256Verifier(credential.password));
    const limit = connectionLimit(limits);
    const created = await converge(
      client,
      `CREATE ROLE ${login} LOGIN PASSWORD ${password} CONNECTION LIMIT ${limit} NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION INHERIT IN ROLE ${id(owner)}`,
      [DUPLICATE_OBJECT, UNIQUE_VIOLATION],
    );
    if (!created) {
      // Left by an earlier attempt: bring it to the wanted state (the password is the stored one).
      await client.query(`ALTER ROLE ${login} LOGIN PASSWORD ${password} CONNECTION LIMIT ${limit}`);
      await client.query(`GRANT ${id(owner)} TO ${login}`);
    }
    await client.query(`ALTER ROLE ${login} SET role TO ${pg.escapeLiteral(owner)}`);
  }

  async function ensureDatabase(client: pg.ClientBase, database: string, owner: string, limits: PlanLimits): Promise<void> {
    const limit = connectionLimit(limits);
    // CREATE DATABASE cannot run in a transaction, so each step stands alone and converges.
    const created = await converge(client, `CREATE DATABASE ${id(database)} OWNER ${id(owner)} CONNECTION LIMIT ${limit}`, [DUPLICATE_DATABASE, UNIQUE_VIOLATION]);
    if (!created) {
      await client.query(`ALTER DATABASE ${id(database)} OWNER TO ${id(owner)}`);
      await client.query(`ALTER DATABASE ${id(database)} CONNECTION LIMIT ${limit}`);
    }
    await client.query(`REVOKE ALL ON DATABASE ${id(database)} FROM PUBLIC`);
  }

  async function endSessions(client: pg.ClientBase, column: 'usename' | 'datname', value: string): Promise<void> {
    await client.query(`SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE ${column} = $1 AND pid <> pg_backend_pid()`, [value]);
  }

  return {
    serverName: 'PostgreSQL',
    pool,
    loginFor: (handle, generation) => `${handle}_${generation}`,

    create(resource, credential, limits) {
      return locked(resource.handle, async (client) => {
        await ensureOwnerRole(client, resource.handle);
        await ensureLoginRole(client, resource.handle, credential, limits);
        await ensureDatabase(client, resource.handle, resource.handle, limits);
      });
    },

    addCredential(resource, credential, limits) {
      return locked(resource.handle, (client) => ensureLoginRole(client, resource.handle, credential, limits));
    },

    revokeCredential(resource, credential) {
      return locked(resource.handle, async (client) => {
        // NOLOGIN first, so a session cannot be opened between the two steps.
        if (await converge(client, `ALTER ROLE ${id(credential.login)} NOLOGIN PASSWORD NULL`, [UNDEFINED_OBJECT])) {
          await endSessions(client, 'usename', credential.login);
        }
      });
    },

    applyLimits(resource, logins, limits) {
      return locked(resource.handle, async (client) => {
        const limit = connectionLimit(limits);
        await client.query(`ALTER DATABASE ${id(resource.handle)} CONNECTION LIMIT ${limit}`);
        for (const login of logins) await converge(client, `ALTER ROLE ${id(login)} CONNECTION LIMIT ${limit}`, [UNDEFINED_OBJECT]);
      });
    },

    destroy(resource, logins) {
      return locked(resource.handle, async (client) => {
        for (const login of logins) await converge(client, `ALTER ROLE ${id(login)} NOLOGIN`, [UNDEFINED_OBJECT]);
        await endSessions(client, 'datname', resource.handle);
        // FORCE (PostgreSQL 13+) also ends sessions that slipped in after the line above.
        const force = (await facts()).version >= 130000 ? ' WITH (FORCE)' : '';
        await client.query(`DROP DATABASE IF EXISTS ${id(resource.handle)}${force}`);
        for (const login of logins) await client.query(`DROP ROLE IF EXISTS ${id(login)}`);
        await client.query(`DROP ROLE IF EXISTS ${id(resource.handle)}`);
      });
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
