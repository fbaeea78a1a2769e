import { PartnerError } from './errors.js';
import type { KitContext } from './options.js';

/**
 * What a failed call to the real server tells the log: the driver's message and code only. Whole
 * error objects are not logged, because some drivers attach the command they sent (an ioredis
 * reply error carries its arguments), and commands may carry password material.
 */
export function describeFailure(error: unknown): { message: string; code?: string } {
  if (!(error instanceof Error)) return { message: String(error) };
  const code = (error as { code?: unknown }).code;
  return typeof code === 'string' ? { message: error.message, code } : { message: error.message };
}

/**
 * A 500 for a step the real server failed. The resource stays as it was (provisioning, deleting,
 * a pending rotation), so the same request sent again resumes it.
 */
export function serverFailure(ctx: KitContext, step: string, resourceId: string, error: unknown): PartnerError {
  ctx.log.error({ resource: resourceId, step, err: describeFailure(error) }, `${ctx.backend.serverName} provider: ${step} failed`);
  return new PartnerError(
    'internal_server_error',
    `The ${ctx.backend.serverName} server failed to ${step} resource ${resourceId}; send the same request again to resume.`,
  );
}
