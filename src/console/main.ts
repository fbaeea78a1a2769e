/**
 * The Stockroom console: a small single-page app over Stockroom's public API, with hash routes
 * (`#/stores`, `#/stores/{id}`, `#/new`, `#/billing`, `#/webhooks`, `#/sso?…`) so the server serves one page.
 */
import { api, ApiError } from './api.js';
import { h, replace } from './dom.js';
import type { CreatePrefill, Page, PageContext } from './page.js';
import { renderBilling } from './pages/billing.js';
import { renderCreateStore } from './pages/create-store.js';
import { renderOpenSso } from './pages/open-sso.js';
import { renderSignIn } from './pages/sign-in.js';
import { renderStore } from './pages/store.js';
import { renderStores } from './pages/stores.js';
import { renderWebhooks } from './pages/webhooks.js';
import { clearSession, readSession, saveTeam } from './session.js';
import type { Team, User } from './wire.js';

interface Route {
  readonly pattern: RegExp;
  readonly nav: string;
  readonly page: Page;
}

const ROUTES: readonly Route[] = [
  { pattern: /^#?\/?(?:stores)?$/, nav: 'stores', page: renderStores },
  { pattern: /^#\/stores\/(?<id>[A-Za-z0-9_]+)$/, nav: 'stores', page: renderStore },
  { pattern: /^#\/new$/, nav: 'new', page: renderCreateStore },
  { pattern: /^#\/billing$/, nav: 'billing', page: renderBilling },
  { pattern: /^#\/webhooks$/, nav: 'webhooks', page: renderWebhooks },
  { pattern: /^#\/sso\?(?<query>.*)$/, nav: 'stores', page: renderOpenSso },
];

const main = document.getElementById('main') as HTMLElement;
const top = document.getElementById('top') as HTMLElement;
const teamSwitcher = document.getElementById('team-switcher') as HTMLSelectElement;
const announcer = document.getElementById('announcer') as HTMLElement;

let user: User | null = null;
let teams: Team[] = [];
let prefill: CreatePrefill | undefined = readPrefill();
let leave: Array<() => void> = [];
let generation = 0;

function announce(message: string): void {
  // Clearing first makes screen readers repeat a message that did not change.
  announcer.textContent = '';
  window.setTimeout(() => (announcer.textContent = message), 50);
}

/** A CLI "finish in the browser" link: `/?integration=…&product=…&teamId=…&defaultResourceName=…&metadata=…&planId=…`. */
function readPrefill(): CreatePrefill | undefined {
  const query = new URLSearchParams(location.search);
  const integration = query.get('integration');
  if (!integration) return undefined;
  let metadata: Record<string, unknown> | undefined;
  try {
    const parsed: unknown = JSON.parse(query.get('metadata') ?? 'null');
    if (parsed && typeof parsed === 'object' && !Array.isArray(parsed)) metadata = parsed as Record<string, unknown>;
  } catch {
    metadata = undefined;
  }
  const teamId = query.get('teamId');
  if (teamId && readSession()) saveTeam(teamId);
  else if (teamId) sessionStorage.setItem('stockroom.pendingTeamId', teamId);
  // The link has done its work once read: the address bar goes back to the plain console.
  history.replaceState(null, '', `${location.pathname}#/new`);
  return {
    integration,
    ...(query.get('product') ? { product: query.get('product') as string } : {}),
    ...(query.get('defaultResourceName') ? { name: query.get('defaultResourceName') as string } : {}),
    ...(metadata ? { metadata } : {}),
    ...(query.get('planId') ? { planId: query.get('planId') as string } : {}),
  };
}

async function start(): Promise<void> {
  document.getElementById('skip-link')?.addEventListener('click', (event) => {
    event.preventDefault();
    main.focus();
  });
  document.getElementById('sign-out')?.addEventListener('click', signOut);
  teamSwitcher.addEventListener('change', () => {
    saveTeam(teamSwitcher.value);
    const team = teams.find((t) => t.id === teamSwitcher.value);
    announce(`Switched to team ${team?.name ?? teamSwitcher.value}.`);
    if (location.hash.startsWith('#/stores/')) location.hash = '#/stores';
    else void route();
  });
  window.addEventListener('hashchange', () => void route());
  // A link to the page already shown starts it afresh (a new, empty create form), as a person expects.
  document.addEventListener('click', (event) => {
    const link = (event.target as Element | null)?.closest?.('a[href^="#/"]');
    if (link instanceof HTMLAnchorElement && link.hash === location.hash) {
      event.preventDefault();
      void route();
    }
  });
  if (!readSession()) return showSignIn();
  try {
    const answer = await api<{ user: User }>('/v2/user', { noTeam: true });
    await signedIn(answer.user);
  } catch (error) {
    if (error instanceof ApiError && error.status === 401) clearSession();
    showSignIn();
  }
}

function showSignIn(): void {
  top.hidden = true;
  renderSignIn(main, (signedInUser) => void signedIn(signedInUser));
}

async function signedIn(signedInUser: User): Promise<void> {
  user = signedInUser;
  const list = await api<{ teams: Team[] }>('/v1/teams', { noTeam: true, query: { limit: 100 } });
  teams = list.teams;
  const pending = sessionStorage.getItem('stockroom.pendingTeamId');
  sessionStorage.removeItem('stockroom.pendingTeamId');
  const wanted = pending ?? readSession()?.teamId ?? user.defaultTeamId;
  const team = teams.find((t) => t.id === wanted) ?? teams.find((t) => t.id === user?.defaultTeamId) ?? teams[0];
  if (!team) {
    replace(main, h('h1', {}, 'No team'), h('p', {}, 'This user is not a member of any team.'));
    return;
  }
  saveTeam(team.id);
  replace(teamSwitcher, ...teams.map((t) => h('option', { value: t.id, selected: t.id === team.id }, `${t.name} (${t.slug})`)));
  replace(document.getElementById('who') as HTMLElement, `Signed in as ${user.username}`);
  top.hidden = false;
  await route();
}

function signOut(): void {
  clearSession();
  user = null;
  teams = [];
  for (const cleanup of leave.splice(0)) cleanup();
  location.hash = '';
  showSignIn();
  announce('Signed out.');
}

async function route(): Promise<void> {
  if (!user) return;
  for (const cleanup of leave.splice(0)) cleanup();
  generation += 1;
  const mine = generation;
  const hash = location.hash;
  const match = ROUTES.map((r) => ({ route: r, found: r.pattern.exec(hash) })).find((m) => m.found);
  for (const link of document.querySelectorAll<HTMLAnchorElement>('[data-nav]')) {
    if (match && link.dataset.nav === match.route.nav) link.setAttribute('aria-current', 'page');
    else link.removeAttribute('aria-current');
  }
  const team = teams.find((t) => t.id === readSession()?.teamId) ?? teams[0];
  if (!match || !team) {
    replace(main, h('h1', {}, 'Not found'), h('p', {}, h('a', { href: '#/stores' }, 'Back to the stores')));
    return;
  }
  const ctx: PageContext = {
    user,
    team,
    params: { ...(match.found?.groups ?? {}) },
    announce,
    navigate: (next) => void (location.hash = next),
    onLeave: (cleanup) => void leave.push(cleanup),
    isCurrent: () => generation === mine,
    takePrefill: () => {
      const taken = prefill;
      prefill = undefined;
      return taken;
    },
  };
  replace(main, h('p', { class: 'loading' }, 'Loading…'));
  try {
    await match.route.page(main, ctx);
  } catch (error) {
    if (!ctx.isCurrent()) return;
    if (error instanceof ApiError && error.status === 401) return signOut();
    replace(main, h('h1', {}, 'Something went wrong'), h('p', { role: 'alert' }, error instanceof Error ? error.message : String(error)));
  }
  // Move focus to the new page's heading (unless the page focused something of its own), so
  // keyboard and screen-reader users land on it.
  const heading = main.querySelector<HTMLElement>('h1');
  if (ctx.isCurrent() && heading && !main.contains(document.activeElement)) {
    heading.setAttribute('tabindex', '-1');
    heading.focus();
  }
}

void start();
