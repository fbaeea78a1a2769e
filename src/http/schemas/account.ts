import { Type, type Static } from 'typebox';
import { ROLES } from '../../domain/roles.js';
import { StringEnum, TOKEN_SCOPE_ORIGINS } from '../../schemas/enums.js';
import { Paginated } from './pagination.js';

/*
 * Vercel's account objects, shaped so that `@vercel/sdk` 1.28.35 parses them with nothing
 * zero-filled: `vercel.user.getAuthUser()` (AuthUser), `vercel.teams.getTeam()/getTeams()` (Team),
 * `vercel.authentication.listAuthTokens()/getAuthToken()/createAuthToken()` (AuthToken). The SDK hard-requires more
 * than the CLI reads, so those fields are required here too, with Stockroom's constant answers
 * noted. Timestamps are epoch milliseconds.
 */

const nullableString = () => Type.Union([Type.String(), Type.Null()]);

/**
 * The user of `GET /v2/user`. `resourceConfig` (an object) is hard-required by the SDK's AuthUser:
 * without it the SDK falls back to its "limited user" shape and invents `limited: true`.
 */
export const User = Type.Object({
  /** `user_…` */
  id: Type.String(),
  /** Legacy alias of `id` that Vercel still sends. */
  uid: Type.Optional(Type.String()),
  email: Type.String(),
  name: nullableString(),
  username: Type.String(),
  /** Stockroom has no avatars: `null`. */
  avatar: nullableString(),
  defaultTeamId: nullableString(),
  /** `"northstar"`: the user always acts in a team, so the CLI scopes calls to `defaultTeamId`. */
  version: Type.Optional(Type.Literal('northstar')),
  createdAt: Type.Integer(),
  /** Soft blocks are per team in Stockroom (docs/rules.md §3): always `null` here. */
  softBlock: Type.Null(),
  billing: Type.Null(),
  hasTrialAvailable: Type.Boolean(),
  /** Per-user limits; Stockroom sends `{}`. */
  resourceConfig: Type.Object({}),
  stagingPrefix: Type.String(),
});
export type User = Static<typeof User>;

/** 200 body of `GET /v2/user`. */
export const UserResponse = Type.Object({ user: User });
export type UserResponse = Static<typeof UserResponse>;

/** The caller's membership in a team. `confirmed` is the literal `true` in the SDK. */
export const TeamMembership = Type.Object({
  /** The member's user id. */
  uid: Type.Optional(Type.String()),
  teamId: Type.Optional(Type.String()),
  role: StringEnum(ROLES),
  confirmed: Type.Literal(true),
  createdAt: Type.Integer(),
  /** Same instant as `createdAt`; the SDK requires both. */
  created: Type.Integer(),
});
export type TeamMembership = Static<typeof TeamMembership>;

/** Vercel's Team (`GET /v2/teams/{teamId}`, items of `GET /v1|v2/teams`), seen by a member. */
export const Team = Type.Object({
  /** `team_…` */
  id: Type.String(),
  slug: Type.String(),
  name: nullableString(),
  avatar: nullableString(),
  description: nullableString(),
  /** Vercel's billing object; Stockroom bills through its own ledger and sends `null`. */
  billing: Type.Null(),
  stagingPrefix: Type.String(),
  creatorId: Type.String(),
  createdAt: Type.Integer(),
  updatedAt: Type.Integer(),
  membership: TeamMembership,
  /** Stockroom extension: `soft_blocked` teams get 402 on create (docs/rules.md §3). */
  billingState: Type.Optional(StringEnum(['active', 'soft_blocked'])),
});
export type Team = Static<typeof Team>;

/** 200 body of `GET /v2/teams` (the SDK's getTeams) and `GET /v1/teams` (what the CLI calls). */
export const TeamsResponse = Paginated('teams', Team);
export type TeamsResponse = Static<typeof TeamsResponse>;

/**
 * Body of `POST /v1/teams`. Vercel documents only the lengths; the slug pattern is the one Vercel
 * publishes for organization slugs (lowercase letters, digits, inner dashes).
 */
export const CreateTeamBody = Type.Object({
  slug: Type.String({ minLength: 1, maxLength: 48, pattern: '^(?!-)[a-z0-9-]{1,48}(?<!-)$' }),
  name: Type.Optional(Type.String({ minLength: 1, maxLength: 256 })),
});
export type CreateTeamBody = Static<typeof CreateTeamBody>;

/** 200 body of `POST /v1/teams`. */
export const CreateTeamResponse = Type.Object({ id: Type.String(), slug: Type.String() });
export type CreateTeamResponse = Static<typeof CreateTeamResponse>;

const scopeOrigin = StringEnum(TOKEN_SCOPE_ORIGINS);

/** A token's scope: the whole user (every team it belongs to). `origin` is a closed enum; API-made tokens are `manual`. */
export const UserTokenScope = Type.Object({
  type: Type.Literal('user'),
  origin: scopeOrigin,
  createdAt: Type.Integer(),
  expiresAt: Type.Optional(Type.Integer()),
});
export type UserTokenScope = Static<typeof UserTokenScope>;

/** A token's scope: one team only (docs/rules.md §1.3). */
export const TeamTokenScope = Type.Object({
  type: Type.Literal('team'),
  teamId: Type.String(),
  origin: scopeOrigin,
  createdAt: Type.Integer(),
  expiresAt: Type.Optional(Type.Integer()),
});
export type TeamTokenScope = Static<typeof TeamTokenScope>;

export const TokenScope = Type.Union([UserTokenScope, TeamTokenScope]);
export type TokenScope = Static<typeof TokenScope>;

/**
 * Vercel's AuthToken: items of `GET /v6/user/tokens` (the SDK's listAuthTokens) and the body of
 * `GET /v5/user/tokens/{tokenId}`. Metadata only: the secret value is never part of it.
 */
export const Token = Type.Object({
  id: Type.String(),
  name: Type.String(),
  /** e.g. `oauth2-token`. */
  type: Type.String(),
  /** How the token was made (free text, unlike a scope's origin). */
  origin: Type.String(),
  scopes: Type.Array(TokenScope),
  /** First characters of the value, for recognising it. */
  prefix: Type.Optional(Type.String()),
  /** Last characters of the value. */
  suffix: Type.Optional(Type.String()),
  /** Absent: never expires. */
  expiresAt: Type.Optional(Type.Integer()),
  activeAt: Type.Integer(),
  createdAt: Type.Integer(),
});
export type Token = Static<typeof Token>;

/** 200 body of `GET /v6/user/tokens` (older clients call `/v5`). */
export const TokensResponse = Paginated('tokens', Token);
export type TokensResponse = Static<typeof TokensResponse>;

/** 200 body of `GET /v5/user/tokens/{tokenId}`. */
export const TokenResponse = Type.Object({ token: Token });
export type TokenResponse = Static<typeof TokenResponse>;

/** Body of `POST /v3/user/tokens`. */
export const CreateTokenBody = Type.Object({
  name: Type.String({ minLength: 1 }),
  /** Epoch milliseconds; absent: never expires. */
  expiresAt: Type.Optional(Type.Integer()),
});
export type CreateTokenBody = Static<typeof CreateTokenBody>;

/** 200 body of `POST /v3/user/tokens`: the only time the secret (`bearerToken`) is shown. */
export const CreateTokenResponse = Type.Object({ token: Token, bearerToken: Type.String() });
export type CreateTokenResponse = Static<typeof CreateTokenResponse>;
