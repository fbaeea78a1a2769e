import type { Project } from '../../domain/projects.js';
import { FRAMEWORKS } from '../../schemas/enums.js';
import type { Project as ProjectWire } from '../schemas/project.js';

/**
 * The Node.js version a project reports. Stockroom builds nothing, so it is not a setting; it is
 * the version Vercel gives a new project, so clients that read it see an ordinary value.
 */
export const PROJECT_NODE_VERSION = '22.x';

export function presentProject(project: Project): ProjectWire {
  return {
    id: project.id,
    name: project.name,
    accountId: project.teamId,
    framework: asFramework(project.framework),
    createdAt: project.createdAt,
    updatedAt: project.updatedAt,
    alias: [],
    defaultResourceConfig: { functionDefaultRegions: [] },
    resourceConfig: { functionDefaultRegions: [] },
    deploymentExpiration: {},
    directoryListing: false,
    nodeVersion: PROJECT_NODE_VERSION,
  };
}

/** A framework outside Vercel's closed list goes out as null (vercel-contract.md §10.8). */
function asFramework(value: string | null): ProjectWire['framework'] {
  return value !== null && (FRAMEWORKS as readonly string[]).includes(value) ? (value as ProjectWire['framework']) : null;
}
