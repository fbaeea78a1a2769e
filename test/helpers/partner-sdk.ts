import assert from 'node:assert/strict';
import { Vercel } from '@vercel/sdk';
import { VercelError } from '@vercel/sdk/models/vercelerror.js';
import { createTeam } from './accounts.js';
import { partnerAccessToken } from './reference-partner-db.js';
import type { TestServer } from './stockroom.js';

/**
 * A partner's view of one installation for the partner-called endpoint tests: its id, the team,
 * an access token as only the partner holds it, and `@vercel/sdk` pointed at Stockroom with it.
 */
export interface PartnerInstallation {
  readonly icfg: string;
  readonly teamId: string;
  readonly token: string;
  readonly sdk: Vercel;
  /** The integration's client secret (the catalog's), which rotation and revocation need. */
  readonly clientSecret: string;
}

/** Installs the reference integration (`acme`) for a new team of the owner's and gives the partner's token. */
export async function installForPartner(server: TestServer): Promise<PartnerInstallation> {
  const team = await createTeam(server);
  const installed = await server.request('POST', `/stockroom/v1/installations?teamId=${team.id}`, { body: { integrationIdOrSlug: 'acme' } });
  assert.equal(installed.status, 200, installed.text);
  const icfg: string = installed.body.id;
  const token = await partnerAccessToken(server, icfg);
  const clientSecret = server.stockroom.ctx.catalog.findIntegration('acme')?.clientSecret;
  assert.ok(clientSecret, 'the reference integration has a client secret');
  return { icfg, teamId: team.id, token, sdk: partnerSdk(server, token), clientSecret };
}

/** `@vercel/sdk` as a partner holding `token` calls Stockroom. */
export function partnerSdk(server: { readonly url: string }, token: string): Vercel {
  return new Vercel({ bearerToken: token, serverURL: server.url });
}

/** The HTTP status an SDK call failed with (the SDK maps every 4XX/5XX to an SDKError, a VercelError). */
export async function sdkStatus(call: Promise<unknown>): Promise<number> {
  try {
    await call;
  } catch (error) {
    if (error instanceof VercelError) return error.statusCode;
    throw error;
  }
  assert.fail('the call succeeded');
}
