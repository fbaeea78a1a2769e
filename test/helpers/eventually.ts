import { setTimeout as sleep } from 'node:timers/promises';

/**
 * Waits for something a background job or an abandoned request does after its answer (a poller's
 * next pass, a partner finishing a provision): calls `probe` until it passes, and returns what the
 * passing call returned. A probe passes when it returns anything but `false` without throwing, so
 * it may be a boolean check or a block of assertions.
 *
 * On timeout it throws, naming `what` and the probe's last failure: a wait never ends silently, so
 * a test can never pass on a state it only hoped for. Polling is for state that is visible only in
 * a database or another process; a test that can wait on an event (a log line, a request reaching
 * a scripted provider) waits on that instead.
 */
export async function eventually<T>(what: string, probe: () => T | Promise<T>, options: { timeoutMs?: number; intervalMs?: number } = {}): Promise<Exclude<T, false>> {
  const { timeoutMs = 30_000, intervalMs = 25 } = options;
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    let failure: unknown;
    try {
      const value = await probe();
      if (value !== false) return value as Exclude<T, false>;
      failure = 'the probe returned false';
    } catch (error) {
      failure = error;
    }
    if (Date.now() >= deadline) {
      const last = failure instanceof Error ? failure.message : String(failure);
      throw new Error(`timed out after ${timeoutMs} ms waiting until ${what}; last: ${last}`, { cause: failure });
    }
    await sleep(intervalMs);
  }
}
