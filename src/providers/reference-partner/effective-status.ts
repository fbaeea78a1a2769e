import type { ResourceStatus } from '../partner-kit/resource-status.js';

/**
 * The status a reader sees now. A pending resource turns ready once `readyAt` has passed. It is
 * computed from stored times on every read rather than by a timer, so every replica and a
 * restarted process agree without background work.
 */
export function effectiveStatus(stored: ResourceStatus, readyAt: number | null, now: number): ResourceStatus {
  if (stored === 'pending' && readyAt !== null && now >= readyAt) return 'ready';
  return stored;
}
