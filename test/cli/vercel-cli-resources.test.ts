import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { createTeam } from '../helpers/accounts.js';
import { startBuiltTestServer, type BuiltTestServer as TestServer } from '../helpers/built-server.js';
import { partnerAccessToken } from '../helpers/reference-partner-db.js';
import { send } from '../helpers/stockroom.js';
import { bootstrapInstallationId, createProject, createStore } from '../helpers/stores.js';
import { runVercel, vercelInvocation, type CliOptions, type CliResult } from '../helpers/vercel-cli.js';

/**
 * The real `vercel` CLI (58.4.4) on a store's connections, claims and links, against the bundle
 * `npm start` runs: `integration resource connect / disconnect / inspect / claim`,
 * `integration open` (and the link it prints, with the host replaced) and `integration accept-terms`.
 * Each run checks the exit code, what it printed and the rows. One SQLite server for the file;
 * test/http/sandbox-claims.test.ts and marketplace-sso.test.ts cover both dialects.
 */

function assertExit(result: CliResult, code: number): void {
  assert.equal(result.code, code, `exit ${result.code}, expected ${code}\n--- stdout\n${result.stdout}\n--- stderr\n${result.stderr}`);
}

/** `KEY="value"` lines of a dotenv file. */
function parseDotenv(text: string): Record<string, string> {
  return Object.fromEntries([...text.matchAll(/^([A-Z0-9_]+)="(.*)"$/gm)].map((m) => [m[1], m[2]]));
}

/**
 * The CLI in a terminal (util-linux `script` gives it a pseudo-terminal), for what it only does
 * interactively: `resource claim` polls for the claim, and `accept-terms` prompts, only when stdin is a TTY.
 */
function runVercelInTerminal(args: readonly string[], options: CliOptions) {
  const { argv, env } = vercelInvocation(args, options, { interactive: true });
  const quoted = [process.execPath, ...argv].map((a) => `'${a.replace(/'/g, `'\\''`)}'`).join(' ');
  const child = spawn('script', ['-qfec', quoted, '/dev/null'], { cwd: options.cwd, env, stdio: ['pipe', 'pipe', 'pipe'] });
  let output = '';
  const waiters = new Set<() => void>();
  const onData = (chunk: Buffer) => {
    output += chunk.toString();
    for (const wake of waiters) wake();
  };
  child.stdout.on('data', onData);
  child.stderr.on('data', onData);
  const exited = new Promise<number>((resolve) => child.once('exit', (code) => resolve(code ?? -1)));
  const timer = setTimeout(() => child.kill('SIGKILL'), 60_000);
  void exited.then(() => clearTimeout(timer));
  return {
    exited,
    output: () => output,
    /** Types into the terminal (an answer to a prompt). */
    type: (text: string) => void child.stdin.write(text),
    /** The first match of `pattern` in the output, once it is there (fails after 30 s). */
    waitFor: (pattern: RegExp) =>
      new Promise<RegExpMatchArray>((resolve, reject) => {
        const check = () => {
          const match = pattern.exec(output);
          if (!match) return;
          waiters.delete(check);
          clearTimeout(limit);
          resolve(match);
        };
        const limit = setTimeout(() => reject(new Error(`no ${pattern} within 30 s:\n${output}`)), 30_000);
        waiters.add(check);
        check();
      }),
  };
}

test('vercel integration resource connect/disconnect/inspect/claim, open and accept-terms against Stockroom', { timeout: 400_000 }, async (t) => {
  const server = await startBuiltTestServer(t, 'sqlite');
  const db = server.stockroom.ctx.db;
  const work = mkdtempSync(join(tmpdir(), 'stockroom-cli-res-'));
  t.after(() => rmSync(work, { recursive: true, force: true }));
  const teamId: string = (await server.request('GET', '/v2/user')).body.user.defaultTeamId;
  const icfg = await bootstrapInstallationId(server);
  const web = await createProject(server, 'web');
  const api = await createProject(server, 'api');
  const linked = join(work, 'web');
  mkdirSync(join(linked, '.vercel'), { recursive: true });
  writeFileSync(join(linked, '.vercel', 'project.json'), JSON.stringify({ projectId: web.id, orgId: teamId }));
  const cliOptions = (cwd: string): CliOptions => ({ cwd, apiUrl: server.url, token: server.token });
  const vercel = (args: readonly string[], cwd = linked) => runVercel(args, cliOptions(cwd));
  const store = await createStore(server, icfg, 'res-db');
  const connectionsOf = (storeId: string) =>
    db.selectFrom('store_connections').select(['project_id', 'environments', 'env_var_prefix']).where('store_id', '=', storeId).orderBy('project_id').execute();
  const storeSecrets = async (storeId: string): Promise<Record<string, string>> => {
    const row = await db.selectFrom('stores').select('secrets_sealed').where('id', '=', storeId).executeTakeFirstOrThrow();
    assert.ok(row.secrets_sealed);
    const secrets: Array<{ name: string; value: string }> = JSON.parse(server.stockroom.ctx.secretBox.open(row.secrets_sealed, `stores.secrets_sealed:${storeId}`));
    return Object.fromEntries(secrets.map((s) => [s.name, s.value]));
  };

  await t.test('resource connect --prefix -e connects the linked project to those environments; env pull shows the prefixed variables', async () => {
    const result = await vercel(['integration', 'resource', 'connect', 'res-db', '--prefix', 'PFX_', '-e', 'production', '-e', 'preview', '--yes']);
    assertExit(result, 0);
    assert.match(result.output, /Connected res-db to web \(production, preview\)/);
    assert.deepEqual(await connectionsOf(store.id), [{ project_id: web.id, environments: '["production","preview"]', env_var_prefix: 'PFX_' }]);

    const pulled = await vercel(['env', 'pull', '.env.production', '--environment', 'production', '--yes']);
    assertExit(pulled, 0);
    const env = parseDotenv(readFileSync(join(linked, '.env.production'), 'utf8'));
    const secrets = await storeSecrets(store.id);
    assert.deepEqual(env, Object.fromEntries(Object.entries(secrets).map(([name, value]) => [`PFX_${name}`, value])), 'every secret, prefixed, and nothing else');
  });

  await t.test('resource connect <resource> <project> --format json connects another project to every environment', async () => {
    const result = await vercel(['integration', 'resource', 'connect', 'res-db', 'api', '--yes', '--format', 'json']);
    assertExit(result, 0);
    assert.deepEqual(JSON.parse(result.stdout), { resource: 'res-db', connected: true, project: 'api', environments: ['production', 'preview', 'development'] });
    const rows = await connectionsOf(store.id);
    assert.deepEqual(rows.find((r) => r.project_id === api.id), { project_id: api.id, environments: '["production","preview","development"]', env_var_prefix: null });

    const again = await vercel(['integration', 'resource', 'connect', 'res-db', 'api', '--yes']);
    assertExit(again, 1);
    assert.match(again.output, /Project api is already connected to resource res-db/);
  });

  await t.test('resource inspect shows the live store, its plan and its connected projects (text and JSON)', async () => {
    const text = await vercel(['integration', 'resource', 'inspect', 'res-db']);
    assertExit(text, 0);
    assert.match(text.output, /Resource res-db in stockroom:/);
    assert.match(text.output, /Status\s+● Available/);
    assert.match(text.output, /Ownership\s+Owned/);
    assert.match(text.output, /Plan\s+Free · subscription · resource/);
    assert.match(text.output, new RegExp(`Resource ID\\s+${store.id}`));
    assert.match(text.output, /web \(production, preview\)/);
    assert.match(text.output, /api \(production, preview, development\)/);

    const json = await vercel(['integration', 'resource', 'inspect', 'res-db', '--format', 'json']);
    assertExit(json, 0);
    const { resource } = JSON.parse(json.stdout);
    assert.deepEqual(
      { id: resource.id, status: resource.status, ownership: resource.ownership, installationId: resource.installationId, billingPlan: resource.billingPlan.id },
      { id: store.id, status: 'available', ownership: 'owned', installationId: icfg, billingPlan: 'free' },
    );
    assert.deepEqual(resource.projects.map((p: { name: string }) => p.name).sort(), ['api', 'web']);
  });

  await t.test('resource disconnect <resource> <project> removes that connection only; --all removes the rest', async () => {
    const one = await vercel(['integration', 'resource', 'disconnect', 'res-db', 'api', '--yes']);
    assertExit(one, 0);
    assert.match(one.output, /Disconnected api from res-db/);
    assert.deepEqual((await connectionsOf(store.id)).map((r) => r.project_id), [web.id]);

    const all = await vercel(['integration', 'resource', 'disconnect', 'res-db', '--all', '--yes']);
    assertExit(all, 0);
    assert.match(all.output, /Disconnected all projects from res-db/);
    assert.deepEqual(await connectionsOf(store.id), []);

    const none = await vercel(['integration', 'resource', 'disconnect', 'res-db', 'web', '--yes']);
    assertExit(none, 1);
    assert.match(none.output, /Project web is not connected to resource res-db/);
  });

  // A sandbox resource, imported by the reference partner with its own installation token.
  const partnerToken = await partnerAccessToken(server as never, icfg);
  const imported = await send(server.url, 'PUT', `/v1/installations/${icfg}/resources/sbx-1`, {
    token: partnerToken,
    body: { productId: 'acme-db', name: 'sandbox-db', status: 'ready', ownership: 'sandbox', secrets: [{ name: 'DATABASE_URL', value: 'postgres://sandbox' }] },
  });
  assert.equal(imported.status, 200, imported.text);
  const sandbox = await db.selectFrom('stores').select(['id', 'ownership']).where('external_resource_id', '=', 'sbx-1').executeTakeFirstOrThrow();
  assert.equal(sandbox.ownership, 'sandbox');

  await t.test('resource claim on a sandbox store: the CLI opens the partner’s claim page and polls until the store is the team’s', async () => {
    const inspected = await vercel(['integration', 'resource', 'inspect', 'sandbox-db']);
    assertExit(inspected, 0);
    assert.match(inspected.output, /Status\s+● Available \[SANDBOX\]/);
    assert.match(inspected.output, /This is a sandbox resource\. Run `vercel integration resource claim sandbox-db` to claim it\./);

    const claim = runVercelInTerminal(['integration', 'resource', 'claim', 'sandbox-db'], cliOptions(linked));
    const [, claimUrl] = await claim.waitFor(/Visit this URL if the browser does not open: (\S+)/);
    assert.ok(claimUrl);
    const url = new URL(claimUrl);
    assert.equal(`${url.origin}${url.pathname}`, `${server.url}/partners/reference/claim`);
    assert.equal(url.searchParams.get('resource_id'), 'sbx-1');
    const open = await db.selectFrom('store_claims').selectAll().where('store_id', '=', sandbox.id).execute();
    assert.equal(open.length, 1);
    assert.deepEqual({ source: open[0]!.source, claimed_at: open[0]!.claimed_at, team_id: open[0]!.team_id }, { source: 'cli', claimed_at: null, team_id: teamId });
    await claim.waitFor(/Waiting for claim to complete in browser/);

    // The person opens the claim page: the partner signs them in with the code and takes the resource out of the sandbox.
    const landing = await fetch(claimUrl);
    const page = await landing.text();
    assert.equal(landing.status, 200, page);
    assert.match(page, /claimed resource sbx-1: it now belongs to the team/);

    assert.equal(await claim.exited, 0, claim.output());
    assert.match(claim.output(), /Claimed sandbox-db\./);
    const row = await db.selectFrom('stores').select('ownership').where('id', '=', sandbox.id).executeTakeFirstOrThrow();
    assert.equal(row.ownership, 'owned');
    const done = await db.selectFrom('store_claims').select(['claimed_at', 'claimed_ownership']).where('store_id', '=', sandbox.id).executeTakeFirstOrThrow();
    assert.equal(done.claimed_ownership, 'owned');
    assert.ok(done.claimed_at !== null);
  });

  await t.test('resource claim refuses a store that is not a sandbox, and claims nothing', async () => {
    const refused = await vercel(['integration', 'resource', 'claim', 'res-db']);
    assertExit(refused, 1);
    assert.match(refused.output, /'res-db' can no longer be claimed \(already claimed\)/);
    assert.deepEqual(await db.selectFrom('store_claims').select('id').where('store_id', '=', store.id).execute(), []);
  });

  await t.test('open prints the SSO link; with the host replaced, a GET of it sends the person to the partner, who signs them in', async () => {
    const result = await vercel(['integration', 'open', 'acme', 'res-db']);
    assertExit(result, 0);
    const printed = new URL(result.stdout.trim());
    assert.equal(`${printed.origin}${printed.pathname}`, 'https://vercel.com/api/marketplace/sso');
    assert.deepEqual(Object.fromEntries(printed.searchParams), { teamId, integrationConfigurationId: icfg, resource_id: store.externalResourceId });

    const link = `${server.url}${printed.pathname}${printed.search}`;
    const redirect = await fetch(link, { redirect: 'manual', headers: { authorization: `Bearer ${server.token}` } });
    assert.equal(redirect.status, 302);
    const location = new URL(redirect.headers.get('location') ?? '');
    assert.equal(`${location.origin}${location.pathname}`, `${server.url}/partners/reference/sso`);
    assert.equal(location.searchParams.get('resource_id'), store.externalResourceId);
    const codes = await db.selectFrom('sso_codes').select(['store_id', 'installation_id', 'used_at']).where('store_id', '=', store.id).execute();
    assert.deepEqual(codes, [{ store_id: store.id, installation_id: icfg, used_at: null }]);

    const landing = await fetch(location);
    const page = await landing.text();
    assert.equal(landing.status, 200, page);
    assert.match(page, /Signed in to Acme as .* for res-db/);
    const used = await db.selectFrom('sso_codes').select('used_at').where('store_id', '=', store.id).executeTakeFirstOrThrow();
    assert.ok(used.used_at !== null, 'the partner exchanged the code');

    const installationLink = await vercel(['integration', 'open', 'acme', '--format', 'json']);
    assertExit(installationLink, 0);
    assert.deepEqual(JSON.parse(installationLink.stdout), { url: `https://vercel.com/api/marketplace/sso?teamId=${teamId}&integrationConfigurationId=${icfg}` });
  });

  await t.test('accept-terms: an installed integration is reported as installed; without a terminal nothing is installed; in one, accepting installs it', async () => {
    const installed = await vercel(['integration', 'accept-terms', 'acme']);
    assertExit(installed, 0);
    const answer = JSON.parse(installed.stdout);
    assert.deepEqual({ integration: answer.integration, installationId: answer.installationId, alreadyInstalled: answer.alreadyInstalled }, { integration: 'acme', installationId: icfg, alreadyInstalled: true });

    const team = await createTeam(server);
    const refused = await vercel(['integration', 'accept-terms', 'acme', '--scope', team.slug]);
    assertExit(refused, 1);
    const error = JSON.parse(refused.stdout);
    assert.equal(error.reason, 'integration_terms_acceptance_required');
    assert.match(error.message, /Marketplace terms cannot be accepted in non-interactive mode/);
    assert.deepEqual(await db.selectFrom('installations').select('id').where('team_id', '=', team.id).execute(), []);

    // In a terminal the person accepts at the prompt, and the integration is installed, with no resource.
    const terminal = runVercelInTerminal(['integration', 'accept-terms', 'acme', '--scope', team.slug], cliOptions(linked));
    await terminal.waitFor(/Accept all of the documents listed above\?/);
    terminal.type('y\r');
    assert.equal(await terminal.exited, 0, terminal.output());
    assert.match(terminal.output(), /Terms accepted\. Integration acme is installed for this team\./);
    const installations = await db.selectFrom('installations').select(['id', 'integration_id', 'deleted_at']).where('team_id', '=', team.id).execute();
    assert.equal(installations.length, 1);
    assert.equal(installations[0]?.integration_id, 'oac_stockroomReference');
    assert.deepEqual(await db.selectFrom('stores').select('id').where('team_id', '=', team.id).execute(), [], 'no resource');
  });
});
