import { createServer } from 'node:net';

/**
 * A port for a process the test starts with `--port N` (or `--jwks-port N`), which must be named
 * before that process exists.
 *
 * Why not `listen(0)` and close: the kernel hands out such ports from the ephemeral range
 * (32768–60999 here), the same range every outgoing connection's source port comes from. With
 * three test files running at once, each making hundreds of connections, a port closed a moment
 * ago was taken by someone's connection before the child bound it (CI failed so: "port 38901 is in
 * use"). Ports below the ephemeral range are never given to connections, so only another test can
 * take one; each test process walks its own stretch of 20000–31999 (by pid) and probes every
 * candidate, so two of them meet only if their stretches overlap and they probe the same port at
 * the same moment.
 */
const LOWEST = 20_000;
const SPAN = 12_000;
let next = (process.pid * 211) % SPAN;

export async function freePort(): Promise<number> {
  for (let tries = 0; tries < SPAN; tries += 1) {
    const port = LOWEST + next;
    next = (next + 1) % SPAN;
    if (await canListen(port)) return port;
  }
  throw new Error(`no free port in ${LOWEST}–${LOWEST + SPAN - 1}`);
}

function canListen(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const probe = createServer();
    probe.once('error', () => resolve(false));
    probe.listen(port, '127.0.0.1', () => probe.close(() => resolve(true)));
  });
}
