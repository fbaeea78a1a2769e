import assert from 'node:assert/strict';
import { createCipheriv, createDecipheriv, createHash, randomBytes } from 'node:crypto';
import { describe, test } from 'node:test';
import { createSecretBox, derivePassphraseKey } from '../../src/crypto/secret-box.js';

const HEX_KEY = 'a1'.repeat(32);
const PASSPHRASE = 'correct horse battery staple';

/** A value in the format written before `v2`: `v1.<iv>.<tag>.<ciphertext>`, no additional data. */
function sealV1(key: Buffer, plaintext: string): string {
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', key, iv);
  const body = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
  return ['v1', iv, cipher.getAuthTag(), body].map((p) => (typeof p === 'string' ? p : p.toString('base64url'))).join('.');
}

/** The sealed value with its tag cut to its first `bytes` bytes. */
function truncateTag(sealed: string, tagIndex: number, bytes: number): string {
  const parts = sealed.split('.');
  parts[tagIndex] = Buffer.from(parts[tagIndex] as string, 'base64url').subarray(0, bytes).toString('base64url');
  return parts.join('.');
}

describe('secret box: GCM tag length', () => {
  test('a value whose tag is cut to 4 bytes (Node accepts one unless told the length) is refused, in both formats', () => {
    const box = createSecretBox(HEX_KEY);
    const v2 = box.seal('postgres://u:pw@h/db', 'stores.secrets_sealed:sto_1');
    assert.equal(box.open(v2, 'stores.secrets_sealed:sto_1'), 'postgres://u:pw@h/db');
    for (const bytes of [4, 8, 12, 15]) {
      assert.throws(() => box.open(truncateTag(v2, 3, bytes), 'stores.secrets_sealed:sto_1'), /tag/, `v2 with a ${bytes}-byte tag`);
    }
    const v1 = sealV1(Buffer.from(HEX_KEY, 'hex'), 'old secret');
    assert.equal(box.open(v1), 'old secret');
    assert.throws(() => box.open(truncateTag(v1, 2, 4)), /tag/);
  });
});

describe('secret box: passphrase through scrypt', () => {
  test('scrypt with N=2^15, r=8, p=1 gives the known key for a known passphrase and salt', () => {
    // Computed independently with Python's hashlib.scrypt.
    const salt = Buffer.from([...Array(16).keys()]);
    assert.equal(derivePassphraseKey(PASSPHRASE, salt).toString('hex'), '7a8e34241db898d59175c696538c417467a975ffe569068425f16188d3159c58');
    assert.deepEqual(derivePassphraseKey(PASSPHRASE, salt), derivePassphraseKey(PASSPHRASE, Buffer.from(salt)));
    assert.notDeepEqual(derivePassphraseKey(PASSPHRASE, salt), derivePassphraseKey(PASSPHRASE, Buffer.alloc(16, 1)));
    assert.notDeepEqual(derivePassphraseKey(PASSPHRASE, salt), derivePassphraseKey(`${PASSPHRASE}!`, salt));
  });

  test('a passphrase box seals with a salted scrypt key, not a hash of the passphrase, and another box with the same passphrase opens it', () => {
    const box = createSecretBox(PASSPHRASE);
    const sealed = box.seal('s3cret', 'ctx');
    const [version, salt64, iv64, tag64, body64] = sealed.split('.') as [string, string, string, string, string];
    assert.equal(version, 'v2');
    const salt = Buffer.from(salt64, 'base64url');
    assert.equal(salt.length, 16);
    // Decrypting by hand with scrypt(passphrase, salt) proves which key sealed it.
    const decipher = createDecipheriv('aes-256-gcm', derivePassphraseKey(PASSPHRASE, salt), Buffer.from(iv64, 'base64url'), { authTagLength: 16 });
    decipher.setAuthTag(Buffer.from(tag64, 'base64url'));
    decipher.setAAD(Buffer.from('ctx'));
    assert.equal(Buffer.concat([decipher.update(Buffer.from(body64, 'base64url')), decipher.final()]).toString('utf8'), 's3cret');
    // Not the old single SHA-256 of the passphrase.
    const sha = createDecipheriv('aes-256-gcm', createHash('sha256').update(PASSPHRASE).digest(), Buffer.from(iv64, 'base64url'), { authTagLength: 16 });
    sha.setAuthTag(Buffer.from(tag64, 'base64url'));
    sha.setAAD(Buffer.from('ctx'));
    sha.update(Buffer.from(body64, 'base64url'));
    assert.throws(() => sha.final());

    // Another process (another salt) opens it, and its own values differ in salt.
    const other = createSecretBox(PASSPHRASE);
    assert.equal(other.open(sealed, 'ctx'), 's3cret');
    assert.notEqual(other.seal('x').split('.')[1], salt64);
    assert.throws(() => createSecretBox('another passphrase entirely').open(sealed, 'ctx'));
  });

  test('a raw 32-byte key (hex or base64) is used as is, with an empty salt', () => {
    const key = randomBytes(32);
    const hexBox = createSecretBox(key.toString('hex'));
    const b64Box = createSecretBox(key.toString('base64'));
    const sealed = hexBox.seal('v', 'c');
    assert.equal(sealed.split('.')[1], '');
    assert.equal(b64Box.open(sealed, 'c'), 'v');
    const [, , iv64, tag64, body64] = sealed.split('.') as [string, string, string, string, string];
    const decipher = createDecipheriv('aes-256-gcm', key, Buffer.from(iv64, 'base64url'), { authTagLength: 16 });
    decipher.setAuthTag(Buffer.from(tag64, 'base64url'));
    decipher.setAAD(Buffer.from('c'));
    assert.equal(Buffer.concat([decipher.update(Buffer.from(body64, 'base64url')), decipher.final()]).toString(), 'v');
  });
});

describe('secret box: old values and row binding', () => {
  test('values sealed in the v1 format still open, with a raw key and with a passphrase (SHA-256 stretched)', () => {
    assert.equal(createSecretBox(HEX_KEY).open(sealV1(Buffer.from(HEX_KEY, 'hex'), 'from before')), 'from before');
    const legacyPassphraseKey = createHash('sha256').update(PASSPHRASE, 'utf8').digest();
    assert.equal(createSecretBox(PASSPHRASE).open(sealV1(legacyPassphraseKey, 'from before too')), 'from before too');
  });

  test('a value sealed for one row does not open for another', () => {
    const box = createSecretBox(HEX_KEY);
    const sealed = box.seal('DATABASE_URL=x', 'stores.secrets_sealed:sto_a');
    assert.equal(box.open(sealed, 'stores.secrets_sealed:sto_a'), 'DATABASE_URL=x');
    assert.throws(() => box.open(sealed, 'stores.secrets_sealed:sto_b'));
    assert.throws(() => box.open(sealed));
  });

  test('an unknown or mangled format is refused', () => {
    const box = createSecretBox(HEX_KEY);
    for (const bad of ['', 'v3.a.b.c.d', 'v2.a.b', 'v1.a.b.c.d', 'plaintext']) assert.throws(() => box.open(bad), /format|IV|tag/);
  });
});

describe('secret box: the salt a passphrase box seals with', () => {
  test('a given salt is used for every value, and a box with another salt still opens them', () => {
    const salt = Buffer.alloc(16, 7);
    const box = createSecretBox(PASSPHRASE, { salt });
    const a = box.seal('a', 'x');
    const b = box.seal('b', 'y');
    assert.equal(a.split('.')[1], salt.toString('base64url'));
    assert.equal(b.split('.')[1], salt.toString('base64url'));
    assert.equal(createSecretBox(PASSPHRASE, { salt: Buffer.alloc(16, 8) }).open(a, 'x'), 'a');
    assert.throws(() => createSecretBox(PASSPHRASE, { salt: Buffer.alloc(4) }), /16 bytes/);
  });
});
