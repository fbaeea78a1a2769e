import assert from 'node:assert/strict';
import { test } from 'node:test';
import { browserSkipReason, signedInConsolePage } from '../helpers/browser.js';
import { createTeam } from '../helpers/accounts.js';
import { startBuiltTestServer } from '../helpers/built-server.js';
import { bootstrapInstallationId, createStore } from '../helpers/stores.js';

/**
 * The SSO link `vercel integration open` prints, with vercel.com's host replaced by Stockroom's,
 * opened in headless Chromium: the browser has no token to send, so Stockroom hands it to the
 * console, where the signed-in person continues to the partner, who signs them in with the code.
 */
test('the CLI’s SSO link opened in a browser goes through the console to the partner’s sign-in', { skip: browserSkipReason, timeout: 120_000 }, async (t) => {
  const server = await startBuiltTestServer(t, 'sqlite');
  const icfg = await bootstrapInstallationId(server);
  const teamId: string = (await server.request('GET', '/v2/user')).body.user.defaultTeamId;
  const store = await createStore(server, icfg, 'linked-db');
  const link = `${server.url}/api/marketplace/sso?${new URLSearchParams({ teamId, integrationConfigurationId: icfg, resource_id: store.externalResourceId })}`;

  const { page, pageErrors } = await signedInConsolePage(t, server);
  await page.goto(link);
  await page.getByRole('heading', { level: 1, name: 'Open in provider' }).waitFor();
  assert.equal(new URL(page.url()).hash, `#/sso?integrationConfigurationId=${icfg}&teamId=${teamId}&resource_id=${store.externalResourceId}`);
  const codesBefore = await server.stockroom.ctx.db.selectFrom('sso_codes').select('code_hash').execute();
  assert.deepEqual(codesBefore, [], 'no code until the person continues');

  await Promise.all([page.waitForURL((url) => url.pathname === '/partners/reference/sso'), page.getByRole('button', { name: 'Continue to the provider' }).click()]);
  assert.match(await page.locator('#message').innerText(), /^Signed in to Acme as .* for linked-db$/);
  const codes = await server.stockroom.ctx.db.selectFrom('sso_codes').select(['store_id', 'used_at']).execute();
  assert.equal(codes.length, 1);
  assert.equal(codes[0]?.store_id, store.id);
  assert.ok(codes[0]?.used_at !== null, 'the partner exchanged it');
  assert.deepEqual(pageErrors, []);

  // A link naming its team by slug, opened in a tab that is on another team: the link's team is used.
  const otherTeam = await createTeam(server);
  const teamSlug: string = (await server.request('GET', `/v2/teams/${teamId}`)).body.slug;
  await page.evaluate((id) => sessionStorage.setItem('stockroom.teamId', id), otherTeam.id); // the console's chosen team (src/console/session.ts)
  await page.goto(`${server.url}/api/marketplace/sso?${new URLSearchParams({ slug: teamSlug, integrationConfigurationId: icfg })}`);
  await page.getByRole('heading', { level: 1, name: 'Open in provider' }).waitFor();
  await Promise.all([page.waitForURL((url) => url.pathname === '/partners/reference/sso'), page.getByRole('button', { name: 'Continue to the provider' }).click()]);
  assert.match(await page.locator('#message').innerText(), /^Signed in to Acme as /);

  // A tab that is not signed in: the console asks for the token first, then shows the same page.
  const fresh = await (await page.context().browser()!.newContext()).newPage();
  await fresh.goto(link);
  await fresh.getByLabel('Access token').fill(server.token);
  await fresh.getByRole('button', { name: 'Sign in' }).click();
  await fresh.getByRole('heading', { level: 1, name: 'Open in provider' }).waitFor();
});
