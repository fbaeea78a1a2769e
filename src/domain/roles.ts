/** Vercel's team roles (issue 2, docs/rules.md §1.3). */
export const ROLES = ['OWNER', 'MEMBER', 'DEVELOPER', 'BILLING', 'VIEWER'] as const;
export type Role = (typeof ROLES)[number];

export function isRole(value: string): value is Role {
  return (ROLES as readonly string[]).includes(value);
}

/** Creating, changing or deleting stores and installations needs OWNER or MEMBER (docs/rules.md §1.3). */
export function canWrite(role: Role): boolean {
  return role === 'OWNER' || role === 'MEMBER';
}

/** The role an integration sees for a team role (user claims, Get Member Information): writers are ADMIN, the rest USER. */
export function marketplaceRoleOf(role: Role): 'ADMIN' | 'USER' {
  return canWrite(role) ? 'ADMIN' : 'USER';
}

/**
 * Whether changing a member's role from `from` to `to` (null: removing them) would leave the team
 * without an OWNER, given how many OWNERs it has now. Nobody could then manage its members or
 * billing, so that change is refused, whichever route asks for it (issue 13 §10).
 */
export function leavesTeamWithoutOwner(from: Role | null, to: Role | null, owners: number): boolean {
  return from === 'OWNER' && to !== 'OWNER' && owners <= 1;
}

/** Team administration (members, billing state, payment methods) is the owner's. */
export function canAdministerTeam(role: Role): boolean {
  return role === 'OWNER';
}
