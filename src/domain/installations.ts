/**
 * A team's installation of an integration (Vercel's "integration configuration", `icfg_…`).
 * `pending` while Stockroom upserts it at the provider; `ready` once the provider accepted it;
 * `uninstalling` from the moment an uninstall begins: no store of it goes live any more
 * (docs/uninstall-and-creates.md), and a failed uninstall puts it back to `ready`.
 */
export interface Installation {
  readonly id: string;
  readonly teamId: string;
  readonly integrationId: string;
  /** The user who installed it. */
  readonly userId: string;
  readonly scopes: readonly string[];
  readonly source: string;
  readonly status: 'pending' | 'ready' | 'uninstalling';
  readonly createdAt: number;
  readonly updatedAt: number;
  readonly deletedAt: number | null;
  /**
   * The projects that may use it (`vercel integration update --projects`); null or absent: every
   * project of the team (docs/installation-updates.md).
   */
  readonly allowedProjects?: readonly string[] | null;
}

/** The scopes Stockroom grants a storage integration's installation. */
export const DEFAULT_INSTALLATION_SCOPES = ['read-write:integration-resource', 'read:team'] as const;

/** The account a partner learns an installation belongs to: Upsert Installation's `account`, Get Account Information. */
export interface InstallationAccount {
  readonly name: string;
  readonly url: string;
  readonly contact: { readonly email: string; readonly name?: string };
}

/** The team as its partner sees it: name, its page on this server, and whom to contact. */
export function installationAccount(team: { readonly name: string; readonly slug: string }, contact: { readonly email: string; readonly name: string | null }, publicUrl: string): InstallationAccount {
  return {
    name: team.name,
    url: `${publicUrl}/${team.slug}`,
    contact: { email: contact.email, ...(contact.name ? { name: contact.name } : {}) },
  };
}
