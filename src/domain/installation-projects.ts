/**
 * Which projects may use an installation (`vercel integration update <slug> --projects …`,
 * docs/installation-updates.md): every project of the team (the default), or those listed.
 */
import { ApiError } from '../errors.js';

/** The CLI's `projects`: `"all"`, or project ids. */
export type ProjectsAccess = 'all' | readonly string[];

/** The list to store: null for all, else the ids once each, in the order given. */
export function allowedProjectsOf(access: ProjectsAccess): string[] | null {
  return access === 'all' ? null : [...new Set(access)];
}

/** The 403 for connecting a store of an installation to a project it may not serve. */
export function projectNotAllowedError(installationId: string, projectId: string, allowed: readonly string[]): ApiError {
  return new ApiError(
    'forbidden',
    `The integration configuration ${installationId} may not be used by project ${projectId}: its access is limited to ${allowed.length === 0 ? 'no project' : allowed.join(', ')}. Allow it with \`vercel integration update <integration> --projects …\` (or --projects all).`,
    { param: 'projectId' },
  );
}

/** Why a change of the allowed projects was refused, as the caller's 4xx. */
export function allowedProjectsRefusal(installationId: string, refusal: { readonly unknown: readonly string[] } | { readonly connected: readonly string[] }): ApiError {
  if ('unknown' in refusal) {
    return new ApiError('bad_request', `Not projects of this team: ${refusal.unknown.join(', ')}. Pass project ids (\`vercel project ls\`) or "all".`, { param: 'projects' });
  }
  return new ApiError(
    'conflict',
    `Stores of the integration configuration ${installationId} are connected to ${refusal.connected.join(', ')}, which the new list leaves out; disconnect them first or keep them in --projects.`,
    { param: 'projects' },
  );
}
