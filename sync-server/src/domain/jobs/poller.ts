/** How often a node prunes a queue's finished rows. */
const PRUNE_EVERY_MS = 3600_000;

/**
 * The loop of a database-backed work queue on one node: a round every
 * `pollMs` (0: only when `runOnce` is called), rounds never overlapping, and
 * a prune at most hourly after a round. Failures are logged, never thrown
 * out of the timer.
 */
export class Poller {
  #timer: NodeJS.Timeout | undefined;
  #running: Promise<number> | undefined;
  #stopped = false;
  #prunedAt = 0;

  constructor(
    private readonly round: (now: Date) => Promise<number>,
    private readonly prune: () => Promise<unknown>,
    private readonly pollMs: number,
    private readonly fail: (err: unknown) => void,
  ) {}

  start(): void {
    if (this.pollMs <= 0) return;
    const tick = () => {
      if (this.#stopped) return;
      void this.runOnce()
        .then(async () => {
          if (Date.now() - this.#prunedAt < PRUNE_EVERY_MS) return;
          this.#prunedAt = Date.now();
          await this.prune();
        })
        .catch(this.fail)
        .finally(() => {
          if (!this.#stopped) this.#timer = setTimeout(tick, this.pollMs);
        });
    };
    this.#timer = setTimeout(tick, this.pollMs);
  }

  async stop(): Promise<void> {
    this.#stopped = true;
    clearTimeout(this.#timer);
    await this.#running?.catch(() => undefined);
  }

  /** Runs one round at `now`; waits for a round already running first. */
  async runOnce(now = new Date()): Promise<number> {
    while (this.#running) await this.#running.catch(() => undefined);
    const run = this.round(now);
    this.#running = run;
    try {
      return await run;
    } finally {
      this.#running = undefined;
    }
  }
}
