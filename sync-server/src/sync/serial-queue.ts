/** Runs async tasks one at a time, in the order given; a failing task does not stop the queue. */
export class SerialQueue {
  /** The last task's promise while any is queued; none is held while idle (one per socket). */
  private tail: Promise<void> | undefined;
  private count = 0;

  /** Tasks queued or running. */
  get pending(): number {
    return this.count;
  }

  /** Queues `task`; the caller must catch inside it (failures here are swallowed after logging). */
  run(task: () => Promise<void> | void): void {
    this.count += 1;
    this.tail = (this.tail ?? Promise.resolve())
      .then(task)
      .catch((err: unknown) => console.error('serial task failed', err))
      .finally(() => {
        this.count -= 1;
        // Nothing was queued behind this one: `tail` is this settled promise.
        if (this.count === 0) this.tail = undefined;
      });
  }
}
