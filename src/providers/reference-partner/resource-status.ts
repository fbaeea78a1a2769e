/** A resource's status as the partner API spells it (partner-api.md §1.2). */
export type ResourceStatus = 'ready' | 'pending' | 'onboarding' | 'suspended' | 'resumed' | 'uninstalled' | 'error';

export const RESOURCE_STATUSES: readonly ResourceStatus[] = ['ready', 'pending', 'onboarding', 'suspended', 'resumed', 'uninstalled', 'error'];

export function isResourceStatus(value: unknown): value is ResourceStatus {
  return typeof value === 'string' && (RESOURCE_STATUSES as readonly string[]).includes(value);
}

/**
 * The status a reader sees now. A pending resource turns ready once `readyAt` has passed. It is
 * computed from stored times on every read rather than by a timer, so every replica and a
 * restarted process agree without background work.
 */
export function effectiveStatus(stored: ResourceStatus, readyAt: number | null, now: number): ResourceStatus {
  if (stored === 'pending' && readyAt !== null && now >= readyAt) return 'ready';
  return stored;
}
