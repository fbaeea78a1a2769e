import type { Role } from './roles.js';

/** A person (or automation) who holds tokens. Timestamps are epoch milliseconds. */
export interface User {
  readonly id: string;
  readonly email: string;
  readonly name: string | null;
  readonly username: string;
  readonly defaultTeamId: string | null;
  readonly isAdmin: boolean;
  readonly createdAt: number;
  readonly updatedAt: number;
}

export type BillingState = 'active' | 'soft_blocked';

export interface Team {
  readonly id: string;
  readonly slug: string;
  readonly name: string;
  readonly creatorId: string;
  readonly billingState: BillingState;
  readonly createdAt: number;
  readonly updatedAt: number;
}

export interface Membership {
  readonly teamId: string;
  readonly userId: string;
  readonly role: Role;
  readonly createdAt: number;
}

export interface AccessToken {
  readonly id: string;
  readonly userId: string;
  readonly name: string;
  /** When set, the token may act for this team only. */
  readonly teamId: string | null;
  readonly origin: string;
  readonly expiresAt: number | null;
  readonly revokedAt: number | null;
  readonly createdAt: number;
  readonly activeAt: number;
}

/** Who is calling: resolved once per request by the auth plugin. */
export interface Actor {
  readonly user: User;
  readonly token: AccessToken;
}

export function isTokenUsable(token: AccessToken, now: number): boolean {
  return token.revokedAt === null && (token.expiresAt === null || token.expiresAt > now);
}
