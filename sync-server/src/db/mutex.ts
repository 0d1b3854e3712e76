/** Runs async functions one at a time, in the order they were queued. */
export class Mutex {
  #tail: Promise<unknown> = Promise.resolve();

  /** Queues `fn` behind everything queued before; resolves or rejects with it. */
  run<T>(fn: () => Promise<T>): Promise<T> {
    const result = this.#tail.then(fn);
    // A failure belongs to its caller only; the queue carries on.
    this.#tail = result.catch(() => undefined);
    return result;
  }
}
