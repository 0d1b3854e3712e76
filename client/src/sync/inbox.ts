import type { ChangesDown, DownMessage } from '@echora/shared';

/** Frames handled together: a run of `changes` frames, or one other frame. */
export type InboxBatch =
  | { generation: number; changes: ChangesDown[] }
  | { generation: number; frame: Exclude<DownMessage, ChangesDown> };

/** At most this many `changes` frames go into one batch (one replica transaction). */
const MAX_FRAMES = 100;

/**
 * Inbound frames, handled one batch at a time in arrival order. Frames that
 * queued up while the previous batch was being applied are taken together
 * when they are consecutive `changes` from the same socket: a burst of
 * messages into a busy app becomes one transaction instead of one each.
 */
export class Inbox {
  #queue: { frame: DownMessage; generation: number }[] = [];
  #draining = false;
  #idle: Promise<void> = Promise.resolve();

  constructor(
    private readonly handle: (batch: InboxBatch) => Promise<void>,
    /** A batch failed (the engine reconnects); the next batch is still handled. */
    private readonly failed: (error: unknown) => void,
  ) {}

  push(frame: DownMessage, generation: number): void {
    this.#queue.push({ frame, generation });
    if (!this.#draining) this.#idle = this.#drain();
  }

  /** Resolves once every frame pushed so far has been handled. */
  settled(): Promise<void> {
    return this.#idle;
  }

  async #drain(): Promise<void> {
    this.#draining = true;
    try {
      for (let batch = this.#take(); batch; batch = this.#take()) {
        try {
          await this.handle(batch);
        } catch (error) {
          this.failed(error);
        }
      }
    } finally {
      this.#draining = false;
    }
  }

  #take(): InboxBatch | undefined {
    const first = this.#queue.shift();
    if (!first) return undefined;
    const { frame, generation } = first;
    if (frame.type !== 'changes') return { generation, frame };
    const changes = [frame];
    while (changes.length < MAX_FRAMES) {
      const next = this.#queue[0];
      if (next?.frame.type !== 'changes' || next.generation !== generation) break;
      changes.push(next.frame);
      this.#queue.shift();
    }
    return { generation, changes };
  }
}
