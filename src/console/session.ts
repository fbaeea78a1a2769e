/**
 * The signed-in person's token and chosen team. Kept in sessionStorage, so they last for the tab
 * and go with it: nothing is written to disk beyond the browser session, and other tabs and
 * sites cannot read it.
 */
const TOKEN_KEY = 'stockroom.token';
const TEAM_KEY = 'stockroom.teamId';

export interface Session {
  readonly token: string;
  readonly teamId: string | null;
}

export function readSession(): Session | null {
  const token = sessionStorage.getItem(TOKEN_KEY);
  return token ? { token, teamId: sessionStorage.getItem(TEAM_KEY) } : null;
}

export function saveToken(token: string): void {
  sessionStorage.setItem(TOKEN_KEY, token);
}

export function saveTeam(teamId: string): void {
  sessionStorage.setItem(TEAM_KEY, teamId);
}

export function clearSession(): void {
  sessionStorage.removeItem(TOKEN_KEY);
  sessionStorage.removeItem(TEAM_KEY);
}
