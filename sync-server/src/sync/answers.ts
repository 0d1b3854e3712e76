/**
 * The mutations of one socket that are in flight at once: each is submitted
 * as soon as its frame is read (so a client's window of sends can share a
 * group-commit batch), and their answers go out in the order the frames came.
 */
export class InFlightAnswers<T> {
  /** One promise per answer not yet sent, oldest first (at most `max`). */
  private readonly pending: Promise<void>[] = [];

  constructor(private readonly max: number) {}

  /**
   * Sends `answer` with `send` once every earlier one was sent (`fail` if it
   * rejects); resolves when the next frame may be read: at once while fewer
   * than `max` are in flight, else when the oldest was sent.
   */
  async add(answer: Promise<T>, send: (answer: T) => void, fail: (err: unknown) => void) {
    const last = this.pending.at(-1) ?? Promise.resolve();
    const sent = last.then(() => answer).then(send, fail);
    this.pending.push(sent);
    void sent.finally(() => this.pending.splice(this.pending.indexOf(sent), 1));
    if (this.pending.length >= this.max) await this.pending[0];
  }

  /** Resolves once every answer given so far was sent. */
  async settled(): Promise<void> {
    await this.pending.at(-1);
  }
}
