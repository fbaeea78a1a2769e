import { ApiError } from '../errors.js';

/** Seconds a team at its limit is told to wait: about how long a create takes. */
const RETRY_AFTER_SECONDS = 5;

/**
 * The answer to a create over the team's limit of stores provisioning at once: 429
 * `rate_limited`, in the same shape as the token limits, with Retry-After. Every create path
 * (the direct endpoint, auto-provision) meets the limit where it writes its row
 * (`insertProvisioningStoreWithinLimit`), before anything is paid.
 */
export function provisioningLimitError(provisioning: number, perTeam: number, now: number): ApiError {
  const resetMs = now + RETRY_AFTER_SECONDS * 1000;
  return new ApiError(
    'rate_limited',
    `The team already has ${provisioning} stores being provisioned, the most it may have at once (${perTeam}); retry when one has finished.`,
    { limit: { remaining: 0, reset: Math.ceil(resetMs / 1000), resetMs, total: perTeam } },
    { 'retry-after': String(RETRY_AFTER_SECONDS) },
  );
}
