import type { TestContext } from 'node:test';
import { createLocalJWKSet, jwtVerify, type JWTVerifyResult } from 'jose';
import { createSecretBox } from '../../src/crypto/secret-box.js';
import { createPartnerClient, type PartnerClientOptions, type SystemCaller, type UserCaller } from '../../src/providers/partner-client.js';
import { createSigner } from '../../src/providers/signing-keys.js';
import { startScriptedProvider, type RecordedRequest } from '../helpers/scripted-provider.js';
import { MemorySigningKeyStore } from './memory-signing-key-store.js';

export const ISSUER = 'http://stockroom.test';
export const CLIENT_ID = 'oac_TestClient1';
export const INSTALLATION = 'icfg_Inst1';

export const user: UserCaller = { accountId: 'team_AbC123', userId: 'user_XyZ789', userRole: 'ADMIN', userEmail: 'ada@example.com' };
export const system: SystemCaller = { accountId: 'team_AbC123' };

export const resource = { id: 'res_1', productId: 'redis', name: 'cache', metadata: { region: 'iad1' }, status: 'ready' };
export const provisioned = { ...resource, secrets: [{ name: 'REDIS_URL', value: 'redis://secret-value@host' }] };

export const upsertBody = {
  scopes: ['read:resource'],
  acceptedPolicies: { toc: '2024-02-28T10:00:00Z' },
  credentials: { access_token: 'srk_installation_token_value', token_type: 'Bearer' as const },
  account: { url: 'http://stockroom.test/acme', contact: { email: 'ada@example.com' } },
};

export const provisionBody = { productId: 'redis', name: 'cache', metadata: { region: 'iad1' }, billingPlanId: 'default' };

/** A scripted provider, a signer over an in-memory store, and a client bound to the provider. */
export async function partnerFixture(t: TestContext, options: Partial<PartnerClientOptions> = {}) {
  const provider = await startScriptedProvider();
  t.after(() => provider.close());
  const signer = createSigner({ store: new MemorySigningKeyStore(), secretBox: createSecretBox('fixture passphrase, long enough'), issuer: () => ISSUER });
  const client = createPartnerClient({ signer, retryDelayMs: 1, ...options }).forProvider({ baseUrl: provider.baseUrl, clientId: CLIENT_ID });

  /** Verifies the bearer token of a recorded request the way a partner would. */
  async function verify(request: RecordedRequest): Promise<JWTVerifyResult> {
    return jwtVerify(bearer(request), createLocalJWKSet(await signer.jwks()), { issuer: ISSUER, audience: CLIENT_ID, algorithms: ['RS256'] });
  }
  return { provider, signer, client, verify };
}

export function bearer(request: RecordedRequest): string {
  const match = /^Bearer (.+)$/.exec(request.headers.authorization ?? '');
  if (!match?.[1]) throw new Error('no bearer token');
  return match[1];
}
