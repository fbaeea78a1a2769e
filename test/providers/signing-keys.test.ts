import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createLocalJWKSet, jwtVerify, type JWTVerifyResult } from 'jose';
import { createSecretBox } from '../../src/crypto/secret-box.js';
import { createSigner, hexId, type Signer, type UserTokenClaims } from '../../src/providers/signing-keys.js';
import { MemorySigningKeyStore } from './memory-signing-key-store.js';

const ISSUER = 'http://stockroom.test';
const secretBox = createSecretBox('a test passphrase that is long enough');

const userClaims: UserTokenClaims = {
  audience: 'oac_Client1',
  accountId: 'team_AbC123',
  installationId: 'icfg_Inst1',
  userId: 'user_XyZ789',
  userRole: 'ADMIN',
  userEmail: 'ada@example.com',
  userName: 'Ada',
};

async function verifyWith(signer: Signer, token: string, audience = userClaims.audience): Promise<JWTVerifyResult> {
  return jwtVerify(token, createLocalJWKSet(await signer.jwks()), { issuer: ISSUER, audience, algorithms: ['RS256'] });
}

describe('signing keys', () => {
  it('creates one RS256 key on first start and stores its private half sealed', async () => {
    const store = new MemorySigningKeyStore();
    const signer = createSigner({ store, secretBox, issuer: () => ISSUER });
    await signer.ensureKey();
    await signer.ensureKey();

    assert.equal(store.keys.length, 1);
    const [stored] = store.keys;
    assert.ok(stored);
    const publicJwk = JSON.parse(stored.publicJwk) as Record<string, unknown>;
    assert.equal(publicJwk.kty, 'RSA');
    assert.equal(publicJwk.kid, stored.kid);
    assert.equal(publicJwk.alg, 'RS256');
    assert.equal(publicJwk.d, undefined, 'the public JWK has no private exponent');
    assert.ok(!stored.privateJwkSealed.includes('"d"'), 'the private JWK is not stored in the clear');
    const privateJwk = JSON.parse(secretBox.open(stored.privateJwkSealed, `signing_keys.private_jwk_sealed:${stored.kid}`)) as Record<string, unknown>;
    assert.equal(typeof privateJwk.d, 'string');
    assert.deepEqual((await signer.jwks()).keys, [publicJwk]);
  });

  it('publishes the key even when the JWKS is asked for before any token', async () => {
    const store = new MemorySigningKeyStore();
    const signer = createSigner({ store, secretBox, issuer: () => ISSUER });
    assert.equal((await signer.jwks()).keys.length, 1);
    assert.equal(store.keys.length, 1);
  });

  it('signs user tokens that verify against the JWKS with the partner-API user claims', async () => {
    const signer = createSigner({ store: new MemorySigningKeyStore(), secretBox, issuer: () => ISSUER });
    const token = await signer.signUserToken(userClaims);
    const { payload, protectedHeader } = await verifyWith(signer, token);
    const [jwk] = (await signer.jwks()).keys;

    assert.deepEqual(protectedHeader, { alg: 'RS256', kid: jwk?.kid, typ: 'JWT' });
    assert.deepEqual(Object.keys(payload).sort(), [
      'account_id', 'aud', 'exp', 'iat', 'installation_id', 'iss', 'sub', 'type', 'user_email', 'user_id', 'user_name', 'user_role',
    ]);
    const { type, account_id, user_id, installation_id, user_role, user_email, user_name } = payload;
    assert.deepEqual(
      { type, account_id, user_id, installation_id, user_role, user_email, user_name },
      { type: 'access_token', account_id: 'team_AbC123', user_id: 'user_XyZ789', installation_id: 'icfg_Inst1', user_role: 'ADMIN', user_email: 'ada@example.com', user_name: 'Ada' },
    );
    assert.match(payload.sub ?? '', /^account:[0-9a-fA-F]+:user:[0-9a-fA-F]+$/);
    assert.equal(payload.sub, `account:${hexId('team_AbC123')}:user:${hexId('user_XyZ789')}`);
    assert.equal((payload.exp ?? 0) - (payload.iat ?? 0), 300);
  });

  it('signs system tokens with an account-only sub and a nullable installation', async () => {
    const signer = createSigner({ store: new MemorySigningKeyStore(), secretBox, issuer: () => ISSUER });
    const token = await signer.signSystemToken({ audience: 'oac_Client1', accountId: 'team_AbC123', installationId: null });
    const { payload } = await verifyWith(signer, token);

    assert.deepEqual(Object.keys(payload).sort(), ['account_id', 'aud', 'exp', 'iat', 'installation_id', 'iss', 'sub', 'type']);
    assert.match(payload.sub ?? '', /^account:[0-9a-fA-F]+$/);
    assert.equal(payload.installation_id, null);
    assert.equal(payload.account_id, 'team_AbC123');
  });

  it('derives the hex parts of sub deterministically, 24 hex characters', () => {
    assert.equal(hexId('team_AbC123'), hexId('team_AbC123'));
    assert.notEqual(hexId('team_AbC123'), hexId('team_AbC124'));
    assert.match(hexId('team_AbC123'), /^[0-9a-f]{24}$/);
  });

  it('rejects a token signed by another key, even one with the same kid', async () => {
    const ours = createSigner({ store: new MemorySigningKeyStore(), secretBox, issuer: () => ISSUER });
    const theirs = createSigner({ store: new MemorySigningKeyStore(), secretBox, issuer: () => ISSUER });
    await ours.ensureKey();
    const forged = await theirs.signUserToken(userClaims);

    await assert.rejects(verifyWith(ours, forged), (e: Error & { code?: string }) => {
      assert.match(e.code ?? '', /^ERR_(JWS_SIGNATURE_VERIFICATION_FAILED|JWKS_NO_MATCHING_KEY)$/);
      return true;
    });
  });

  it('creates one key when two replicas start at once on one store', async () => {
    const store = new MemorySigningKeyStore();
    const replicaA = createSigner({ store, secretBox, issuer: () => ISSUER });
    const replicaB = createSigner({ store, secretBox, issuer: () => ISSUER });
    await Promise.all([replicaA.ensureKey(), replicaB.ensureKey()]);

    assert.equal(store.insertAttempts, 2, 'both replicas found no key and tried to insert one');
    assert.equal(store.keys.length, 1);
    // The loser must sign with the winner's key, the only one published.
    for (const replica of [replicaA, replicaB]) {
      const { protectedHeader } = await verifyWith(replicaA, await replica.signUserToken(userClaims));
      assert.equal(protectedHeader.kid, store.keys[0]?.kid);
    }
  });

  it('reuses the stored key after a restart', async () => {
    const store = new MemorySigningKeyStore();
    const first = createSigner({ store, secretBox, issuer: () => ISSUER });
    await first.ensureKey();
    const restarted = createSigner({ store, secretBox, issuer: () => ISSUER });
    const token = await restarted.signSystemToken({ audience: 'oac_Client1', accountId: 'team_A', installationId: 'icfg_1' });

    assert.equal(store.insertAttempts, 1);
    await verifyWith(first, token);
  });

  it('retries loading the key after a failed start', async () => {
    const store = new MemorySigningKeyStore();
    let failures = 1;
    const flaky = {
      listKeys: () => (failures-- > 0 ? Promise.reject(new Error('database unavailable')) : store.listKeys()),
      insertKey: (k: Parameters<typeof store.insertKey>[0]) => store.insertKey(k),
    };
    const signer = createSigner({ store: flaky, secretBox, issuer: () => ISSUER });
    await assert.rejects(signer.ensureKey(), /database unavailable/);
    await signer.ensureKey();
    assert.equal(store.keys.length, 1);
  });
});

describe('signed-token cache', () => {
  function clockedSigner() {
    const clock = { ms: Date.UTC(2025, 0, 1, 12, 0, 0) };
    const signer = createSigner({ store: new MemorySigningKeyStore(), secretBox, issuer: () => ISSUER, now: () => clock.ms });
    return { clock, signer };
  }

  it('reuses a token for the same audience and claims until one minute before it expires', async () => {
    const { clock, signer } = clockedSigner();
    const first = await signer.signUserToken(userClaims);
    assert.equal(await signer.signUserToken(userClaims), first);
    clock.ms += 239_000;
    assert.equal(await signer.signUserToken(userClaims), first);
    assert.deepEqual(signer.stats(), { signed: 1, cacheHits: 2 });

    clock.ms += 1_000; // 240 s old: exp is 60 s away, so a fresh token is signed
    const second = await signer.signUserToken(userClaims);
    assert.notEqual(second, first);
    assert.deepEqual(signer.stats(), { signed: 2, cacheHits: 2 });
  });

  it('signs separately for another user, installation, audience or auth style', async () => {
    const { signer } = clockedSigner();
    await signer.signUserToken(userClaims);
    await signer.signUserToken({ ...userClaims, userId: 'user_Other' });
    await signer.signUserToken({ ...userClaims, installationId: 'icfg_Other' });
    await signer.signUserToken({ ...userClaims, audience: 'oac_Other' });
    await signer.signSystemToken({ audience: userClaims.audience, accountId: userClaims.accountId, installationId: userClaims.installationId });
    assert.deepEqual(signer.stats(), { signed: 5, cacheHits: 0 });
  });

  it('signs once for concurrent requests with the same claims', async () => {
    const { signer } = clockedSigner();
    const tokens = await Promise.all(Array.from({ length: 5 }, () => signer.signUserToken(userClaims)));
    assert.equal(new Set(tokens).size, 1);
    assert.deepEqual(signer.stats(), { signed: 1, cacheHits: 4 });
  });
});
