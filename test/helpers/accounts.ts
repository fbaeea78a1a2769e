import { randomBytes } from 'node:crypto';
import assert from 'node:assert/strict';
import type { Role } from '../../src/domain/roles.js';
import type { ApiServer } from './stockroom.js';

export interface TestUser {
  readonly id: string;
  readonly token: string;
  readonly defaultTeamId: string;
}

/** Creates a user through the operator API (with a personal team and a token), over HTTP. */
export async function createUser(server: ApiServer, name = `user-${randomBytes(4).toString('hex')}`): Promise<TestUser> {
  const res = await server.request('POST', '/stockroom/v1/users', { body: { email: `${name}@example.test`, username: name } });
  assert.equal(res.status, 200, res.text);
  return { id: res.body.user.id, token: res.body.bearerToken, defaultTeamId: res.body.team.id };
}

/** Creates a user and adds them to `teamId` with `role`, as the team's owner. */
export async function createMember(server: ApiServer, teamId: string, role: Role, ownerToken = server.token): Promise<TestUser> {
  const user = await createUser(server);
  const res = await server.request('POST', `/v1/teams/${teamId}/members`, { token: ownerToken, body: { uid: user.id, role } });
  assert.equal(res.status, 200, res.text);
  return user;
}

/** Creates a team owned by the token's user. */
export async function createTeam(server: ApiServer, token = server.token, slug = `team-${randomBytes(4).toString('hex')}`): Promise<{ id: string; slug: string }> {
  const res = await server.request('POST', '/v1/teams', { token, body: { slug } });
  assert.equal(res.status, 200, res.text);
  return { id: res.body.id, slug: res.body.slug };
}
