/**
 * Group commit: `run(item)` calls made while a flush is running wait for the next flush, which
 * takes all of them at once; with nothing running, a call flushes at once (alone, or with the
 * calls made in the same tick). So under load many callers share one database transaction or
 * one OffsetCommit request, and an idle caller never waits for a timer. Flushes never overlap.
 * With `minIntervalMs`, flushes start at least that far apart (calls wait for the next slot):
 * fewer, larger flushes when the callers don't need the result quickly. A failed flush rejects
 * every call it carried.
 */
export class Coalescer<T> {
  private queue: { item: T; resolve: () => void; reject: (err: unknown) => void }[] = [];
  private running = false;
  /** How many flushes ran, and how many items they carried (for stats and tests). */
  flushes = 0;
  items = 0;

  private lastStart = -Infinity;

  constructor(
    private readonly flush: (items: T[]) => Promise<void>,
    private readonly minIntervalMs = 0,
  ) {}

  run(item: T): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      this.queue.push({ item, resolve, reject });
      if (!this.running) {
        this.running = true;
        // At least one microtask later, so calls made in the same tick share the first flush.
        queueMicrotask(() => void this.loop());
      }
    });
  }

  private async loop(): Promise<void> {
    try {
      while (this.queue.length) {
        const wait = this.lastStart + this.minIntervalMs - Date.now();
        if (wait > 0) await new Promise((r) => setTimeout(r, wait));
        const batch = this.queue;
        this.queue = [];
        this.lastStart = Date.now();
        this.flushes++;
        this.items += batch.length;
        try {
          await this.flush(batch.map((b) => b.item));
          for (const b of batch) b.resolve();
        } catch (err) {
          for (const b of batch) b.reject(err);
        }
      }
    } finally {
      this.running = false;
    }
  }
}
