/** A resource's status as the partner API spells it (partner-api.md §1.2). */
export type ResourceStatus = 'ready' | 'pending' | 'onboarding' | 'suspended' | 'resumed' | 'uninstalled' | 'error';

export const RESOURCE_STATUSES: readonly ResourceStatus[] = ['ready', 'pending', 'onboarding', 'suspended', 'resumed', 'uninstalled', 'error'];

export function isResourceStatus(value: unknown): value is ResourceStatus {
  return typeof value === 'string' && (RESOURCE_STATUSES as readonly string[]).includes(value);
}
