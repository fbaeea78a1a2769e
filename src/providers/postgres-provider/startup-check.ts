import type pg from 'pg';
import type { StartupFindings } from '../partner-kit/startup-findings.js';

/**
 * What an operator should hear at start-up about the PostgreSQL server the provider was pointed
 * at: errors when stores cannot be created (unreachable, too old, missing rights), warnings when
 * they can but are less isolated than they look. Nothing here stops Stockroom: the server may
 * come up later, and provisioning then fails with a provider error until it does.
 */
export async function checkPostgresServer(pool: pg.Pool, where: string): Promise<StartupFindings> {
  const errors: string[] = [];
  const warnings: string[] = [];
  let admin: { user: string; superuser: boolean; createdb: boolean; createrole: boolean; version: number };
  try {
    const { rows } = await pool.query(
      `SELECT current_user AS user, rolsuper, rolcreatedb, rolcreaterole, current_setting('server_version_num')::int AS version FROM pg_roles WHERE rolname = current_user`,
    );
    const row = rows[0];
    admin = { user: row.user, superuser: row.rolsuper, createdb: row.rolcreatedb, createrole: row.rolcreaterole, version: Number(row.version) };
  } catch (error) {
    return { errors: [`cannot reach the PostgreSQL server at ${where}: ${error instanceof Error ? error.message : String(error)}`], warnings };
  }

  // Pre-encrypted SCRAM passwords need PostgreSQL 10.
  if (admin.version < 100000) errors.push(`the PostgreSQL server at ${where} is version ${admin.version}; version 10 or later is needed`);
  const missing = [...(admin.createdb ? [] : ['CREATEDB']), ...(admin.createrole ? [] : ['CREATEROLE'])];
  if (!admin.superuser && missing.length > 0) {
    errors.push(`the admin role "${admin.user}" lacks ${missing.join(' and ')}, so no store can be created; run ALTER ROLE "${admin.user}" ${missing.join(' ')} or use a superuser`);
  }

  // PUBLIC may connect to every database by default; store roles are PUBLIC too.
  const open = await pool.query(
    `SELECT datname FROM pg_database WHERE datallowconn AND NOT datistemplate AND has_database_privilege('public', oid, 'CONNECT') ORDER BY datname`,
  );
  const names = open.rows.map((r: { datname: string }) => r.datname);
  if (names.length > 0) {
    const listed = names.length > 10 ? `${names.slice(0, 10).join(', ')} and ${names.length - 10} more` : names.join(', ');
    warnings.push(
      `store roles can connect to ${listed} because PUBLIC may; to keep every store inside its own database, run REVOKE CONNECT ON DATABASE <name> FROM PUBLIC (and GRANT CONNECT to the roles that need it)`,
    );
  }

  // Only superusers may read pg_hba.conf; for others this check is skipped.
  try {
    const trust = await pool.query(`SELECT count(*)::int AS n FROM pg_hba_file_rules WHERE auth_method = 'trust' AND type <> 'local'`);
    if (Number(trust.rows[0]?.n) > 0) {
      warnings.push(`pg_hba.conf trusts some network connections without a password, so store passwords protect nothing there; use scram-sha-256`);
    }
  } catch {
    // Not readable by this role.
  }
  return { errors, warnings };
}
