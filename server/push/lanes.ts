// A queue of dirty subscriptions with a few workers: the hub recomputes them in the order it gives (a fair
// share per socket, hub.ts fairOrder), reordering at each flush. So that nothing starves under a sustained
// load, one worker at a time serves whatever has waited longer than `agingMs`, first come first served. A lane with `rest` > 0 leaves its worker idle for `rest` × the time a
// computation took before the next (a low-priority lane that must leave the engine to the others).
export class Lane<T extends object> {
  /** Item → when it was queued (ms). Iteration order is priority order (as `refill` was given it). */
  private queue = new Map<T, number>();
  private running = 0;
  private agedRunning = 0;

  constructor(
    private readonly workers: number,
    private readonly agingMs: number,
    /** Still worth computing when its turn comes (dirty, not computing, still subscribed). */
    private readonly ready: (item: T) => boolean,
    private readonly run: (item: T) => Promise<void>,
    private readonly rest = 0,
    private readonly now: () => number = () => performance.now(),
  ) {}

  get queued(): number {
    return this.queue.size;
  }

  /** Replaces the queue with `due`, in its order; items that were already queued keep their queued time. */
  refill(due: Iterable<T>): void {
    const now = this.now();
    const next = new Map<T, number>();
    for (const item of due) next.set(item, this.queue.get(item) ?? now);
    this.queue = next;
    this.pump();
  }

  private pump(): void {
    while (this.running < this.workers && this.queue.size > 0) {
      let pick: T | undefined;
      let aged = false;
      if (this.agedRunning === 0) {
        let oldest = Infinity;
        for (const [item, at] of this.queue) {
          if (at < oldest) {
            oldest = at;
            pick = item;
          }
        }
        aged = this.now() - oldest > this.agingMs;
        if (!aged) pick = undefined;
      }
      pick ??= this.queue.keys().next().value!;
      this.queue.delete(pick);
      if (!this.ready(pick)) continue;
      this.running++;
      if (aged) this.agedRunning++;
      const started = this.now();
      const done = () => {
        this.running--;
        if (aged) this.agedRunning--;
        this.pump();
      };
      void this.run(pick)
        .catch(() => undefined)
        .finally(() => {
          if (this.rest > 0) setTimeout(done, (this.now() - started) * this.rest).unref?.();
          else done();
        });
    }
  }
}
