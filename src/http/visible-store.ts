import type { FastifyRequest } from 'fastify';
import type { AppContext } from '../app-context.js';
import { findVisibleStoreOfTeam } from '../db/store-reads.js';
import { ApiError } from '../errors.js';
import { teamOf } from './plugins/auth.js';

/** The request team's visible store named in the path, or 404 (another team's store reads as absent). */
export async function visibleStoreOfPath(ctx: Pick<AppContext, 'db'>, request: FastifyRequest, storeId: string) {
  const store = await findVisibleStoreOfTeam(ctx.db, teamOf(request).team.id, storeId);
  if (!store) throw new ApiError('not_found', `The store ${storeId} was not found.`);
  return store;
}
