/** Runs async tasks one at a time, in the order given; a failing task does not stop the queue. */
export class SerialQueue {
  private tail: Promise<void> = Promise.resolve();
  private count = 0;

  /** Tasks queued or running. */
  get pending(): number {
    return this.count;
  }

  /** Queues `task`; the caller must catch inside it (failures here are swallowed after logging). */
  run(task: () => Promise<void> | void): void {
    this.count += 1;
    this.tail = this.tail
      .then(task)
      .catch((err: unknown) => console.error('serial task failed', err))
      .finally(() => {
        this.count -= 1;
      });
  }
}
