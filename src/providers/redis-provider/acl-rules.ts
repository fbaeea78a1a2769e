/**
 * The ACL rules of a store's user: every key and channel command, on its own prefix only, and
 * nothing that reaches past it. `+@all -@admin -@dangerous` is the base; the rest closes what
 * that leaves open, each for a reason:
 * - `+info`: ioredis sends INFO as its ready check on every connection (it is `@dangerous` only
 *   for the server statistics it shows, not for data);
 * - `-select -swapdb -move -copy`: key patterns span every logical database, so a store could
 *   write its prefix into another database, out of reach of the cleanup that runs on database 0;
 * - `-scan -randomkey -dbsize -pubsub`: these are not filtered by the key or channel patterns and
 *   would show other stores' key and channel names (or counts). Applications iterate their own
 *   keys with sets or sorted sets instead;
 * - `-client|tracking`: broadcast invalidations would name other stores' keys;
 * - `-function -script|flush -script|kill`: the function library and script cache are shared by
 *   every user, so one store could delete another's functions or kill its scripts;
 * - `-memory +memory|usage`: the rest of MEMORY reports on or acts on the whole server.
 * Key and channel permissions are checked for commands run by scripts too (Redis 7).
 */
export function aclRules(keyPrefix: string): string[] {
  return [
    'resetkeys',
    `~${keyPrefix}*`,
    'resetchannels',
    `&${keyPrefix}*`,
    '+@all',
    '-@admin',
    '-@dangerous',
    '+info',
    '-select',
    '-swapdb',
    '-move',
    '-copy',
    '-scan',
    '-randomkey',
    '-dbsize',
    '-pubsub',
    '-client|tracking',
    '-function',
    '-script|flush',
    '-script|kill',
    '-memory',
    '+memory|usage',
  ];
}

/** A store's keys and channels start with its handle and a colon, e.g. `sr_k3…:`. */
export function keyPrefixOf(handle: string): string {
  return `${handle}:`;
}
