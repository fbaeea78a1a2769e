/**
 * A project, in the minimal shape Stockroom needs: something a store connects to and whose
 * environment variables `vercel env pull` reads (issue 4 §3). Deployments and git are not modelled.
 */
export interface Project {
  /** `prj_…` */
  readonly id: string;
  /** The owning team (`team_…`), Vercel's `accountId`. */
  readonly teamId: string;
  /** Unique within the team. */
  readonly name: string;
  /** One of Vercel's framework slugs, or null when unknown. */
  readonly framework: string | null;
  /** Epoch milliseconds. */
  readonly createdAt: number;
  readonly updatedAt: number;
}

/**
 * Vercel's project name rule: up to 100 lowercase letters, digits, `.`, `_` and `-`, never `---`
 * (reserved by Vercel for generated deployment hostnames).
 */
export const PROJECT_NAME_PATTERN = '^(?!.*---)[a-z0-9._-]{1,100}$';

