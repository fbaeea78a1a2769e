import type { Role } from './roles.js';

/**
 * Who may change a team's billing (docs/rules.md §1.3, §3). Billing is not "writing resources":
 * Vercel's BILLING role exists to manage payment, while a MEMBER, who may create stores, may not.
 */

/** Adding, removing or choosing the default payment method: OWNER or BILLING. */
export function canManagePaymentMethods(role: Role): boolean {
  return role === 'OWNER' || role === 'BILLING';
}

/**
 * Soft-blocking or unblocking a team: its OWNER, or an operator of this instance, who stands in for
 * the invoicing system that would do it on Vercel. `role` is null when the operator is no member.
 */
export function canChangeBillingState(role: Role | null, isOperator: boolean): boolean {
  return isOperator || role === 'OWNER';
}
