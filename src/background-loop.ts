/**
 * Runs `pass` every `intervalMs` until the returned function is called, first at once or
 * (`runAtOnce: false`) after one interval. A pass never overlaps the previous one in this process:
 * the next is scheduled when one ends. `pass` handles its own errors; the loop goes on.
 */
export function startLoop(pass: () => Promise<void>, intervalMs: number, options: { readonly runAtOnce: boolean }): () => Promise<void> {
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<void> | undefined;
  const run = () => {
    running = pass().finally(() => {
      running = undefined;
      schedule();
    });
  };
  const schedule = () => {
    if (stopped) return;
    timer = setTimeout(run, intervalMs);
    // The loop alone must not keep a process alive (tests, CLI tools).
    timer.unref();
  };
  if (options.runAtOnce) run();
  else schedule();
  return async () => {
    stopped = true;
    if (timer) clearTimeout(timer);
    // Let a pass in flight finish before the database it uses is closed.
    await running;
  };
}
