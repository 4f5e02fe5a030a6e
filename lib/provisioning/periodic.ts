import type { JobLogger } from "@/lib/jobs";

/**
 * Runs named tasks one after another, then waits `everyMs`, until `signal` aborts. A failing
 * task is logged and tried again next round: the expiry sweep and the reconciler must survive a
 * cluster that is briefly down. Resolves once stopped and the current round has finished.
 */
export async function runPeriodic(opts: {
  signal: AbortSignal;
  everyMs: number;
  log: JobLogger;
  tasks: Record<string, () => Promise<unknown>>;
}): Promise<void> {
  while (!opts.signal.aborted) {
    for (const [name, task] of Object.entries(opts.tasks)) {
      if (opts.signal.aborted) return;
      try {
        await task();
      } catch (err) {
        opts.log.error(`periodic task ${name} failed`, { error: (err as Error).message });
      }
    }
    // An abort that came while the last task ran has already fired: waiting for its event would
    // hold a shutting-down worker for a whole round.
    if (opts.signal.aborted) return;
    await new Promise<void>((resolve) => {
      const onAbort = () => (clearTimeout(timer), resolve());
      // Remove the listener once the wait ends, or every round would leave one on the signal.
      const timer = setTimeout(() => (opts.signal.removeEventListener("abort", onAbort), resolve()), opts.everyMs);
      opts.signal.addEventListener("abort", onAbort, { once: true });
    });
  }
}
