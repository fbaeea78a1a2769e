import { createHash } from 'node:crypto';
import { Redis } from 'ioredis';
import type { Secret } from '../partner-kit/secret.js';
import type { BackendResource, Credential, ResourceBackend } from '../partner-kit/backend.js';
import { aclRules, keyPrefixOf } from './acl-rules.js';

/**
 * A store on a Redis server (7.0 or later): an ACL user named after the store's handle, allowed
 * only on keys and channels under its prefix (`acl-rules.ts`). Redis keeps several passwords per
 * user, so a rotation adds the new one (`#<sha256>`) and the revocation job later removes the old
 * one (`!<sha256>`) and closes the user's connections, which then reconnect with the new one.
 * Passwords are only ever sent as hashes, so they never appear in a command.
 */
export interface RedisBackendSettings {
  /** `redis://[user:password@]host:port` of a user allowed to run ACL commands; `rediss://` for TLS. */
  readonly adminUrl: string;
  /** `host[:port]` applications use, when not the admin URL's. */
  readonly publicHost?: string;
}

export interface RedisBackend extends ResourceBackend {
  /** The admin connection, for the start-up check. */
  readonly client: Redis;
}

/** Keys unlinked per SCAN step when a store is deleted. */
const SCAN_COUNT = 500;

export function createRedisBackend(settings: RedisBackendSettings): RedisBackend {
  const client = new Redis(settings.adminUrl, {
    // Stores live in database 0 (their users may not SELECT), whatever the URL says.
    db: 0,
    lazyConnect: true,
    connectTimeout: 5000,
    commandTimeout: 5000,
    // Fail a command rather than queue it for ever while the server is down.
    maxRetriesPerRequest: 1,
    retryStrategy: (times) => Math.min(times * 200, 2000),
  });
  // Connection errors surface on the commands; the event must still be handled.
  client.on('error', () => {});
  const admin = new URL(settings.adminUrl);
  const publicAddress = new URL(`${admin.protocol}//${settings.publicHost ?? admin.host}`);
  let aclFile: Promise<boolean> | undefined;

  /** ACL changes live in memory unless the server has an ACL file; then every change is saved. */
  const persist = async () => {
    aclFile ??= (client.call('CONFIG', 'GET', 'aclfile') as Promise<string[]>).then(
      (reply) => (reply[1] ?? '') !== '',
      (error: unknown) => {
        aclFile = undefined;
        throw error;
      },
    );
    if (await aclFile) await client.call('ACL', 'SAVE');
  };

  return {
    serverName: 'Redis',
    client,
    // One user for every generation: Redis holds both passwords during a rotation's delay.
    loginFor: (handle) => handle,

    async create(resource, credential) {
      // `reset` makes a retry converge on exactly these rules and this one password.
      await client.call('ACL', 'SETUSER', credential.login, 'reset', 'on', `#${sha256(credential.password)}`, ...aclRules(keyPrefixOf(resource.handle)));
      await persist();
    },

    async addCredential(_resource, credential) {
      await client.call('ACL', 'SETUSER', credential.login, 'on', `#${sha256(credential.password)}`);
      await persist();
    },

    async revokeCredential(_resource, credential) {
      try {
        await client.call('ACL', 'SETUSER', credential.login, `!${sha256(credential.password)}`);
      } catch (error) {
        // Already removed (or the user is gone): the wanted state holds.
        if (!(error instanceof Error && error.message.includes('does not exist'))) throw error;
        return;
      }
      await persist();
      // Redis cannot tell which password a connection used: all of the user's connections are
      // closed, and clients holding the new password reconnect.
      try {
        await client.call('CLIENT', 'KILL', 'USER', credential.login);
      } catch (error) {
        if (!(error instanceof Error && error.message.includes('No such user'))) throw error;
      }
    },

    // Redis has no per-user limits to apply; plans differ in price only.
    async applyLimits() {},

    async destroy(resource, logins) {
      // The user first (DELUSER also closes its connections), so nothing writes while keys go.
      for (const login of logins) await client.call('ACL', 'DELUSER', login);
      await persist();
      const pattern = `${keyPrefixOf(resource.handle)}*`;
      let cursor = '0';
      do {
        const [next, keys] = (await client.call('SCAN', cursor, 'MATCH', pattern, 'COUNT', String(SCAN_COUNT))) as [string, string[]];
        if (keys.length > 0) await client.call('UNLINK', ...keys);
        cursor = next;
      } while (cursor !== '0');
    },

    secrets(resource, credential) {
      return redisSecrets(publicAddress, resource, credential);
    },

    async close() {
      client.disconnect();
    },
  };
}

function sha256(password: string): string {
  return createHash('sha256').update(password, 'utf8').digest('hex');
}

/** Letters and digits only in user and password, so the URL needs no escaping. */
function redisSecrets(address: URL, resource: BackendResource, credential: Credential): Secret[] {
  const port = address.port || '6379';
  const url = `${address.protocol}//${credential.login}:${credential.password}@${address.hostname}:${port}`;
  return [
    { name: 'REDIS_URL', value: url },
    { name: 'KV_URL', value: url },
    { name: 'KV_PREFIX', value: keyPrefixOf(resource.handle) },
  ];
}
