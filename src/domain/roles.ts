/** Vercel's team roles (issue 2, semantics.md §1.3). */
export const ROLES = ['OWNER', 'MEMBER', 'DEVELOPER', 'BILLING', 'VIEWER'] as const;
export type Role = (typeof ROLES)[number];

export function isRole(value: string): value is Role {
  return (ROLES as readonly string[]).includes(value);
}

/** Creating, changing or deleting stores and installations needs OWNER or MEMBER (semantics.md §1.3). */
export function canWrite(role: Role): boolean {
  return role === 'OWNER' || role === 'MEMBER';
}

/** Team administration (members, billing state, payment methods) is the owner's. */
export function canAdministerTeam(role: Role): boolean {
  return role === 'OWNER';
}
