/** How long a client has to answer an offer before its connection is given up. */
export const ANSWER_TIMEOUT_MS = 15_000;

/**
 * Serialises renegotiation of one connection: one offer in flight at a time;
 * requests made meanwhile fold into a single next round. werift (like any
 * WebRTC stack) breaks if two offers overlap.
 */
export class NegotiationQueue {
  private running = false;
  private again = false;
  private waiting: { resolve: (sdp: string) => void; timer: NodeJS.Timeout } | undefined;
  private stopped = false;

  constructor(
    /** One round: make and send an offer, then apply `answer()`'s result. */
    private readonly round: (answer: () => Promise<string>) => Promise<void>,
    private readonly onError: (error: unknown) => void,
  ) {}

  /** Asks for a round; returns at once. */
  request(): void {
    if (this.stopped) return;
    if (this.running) {
      this.again = true;
      return;
    }
    this.running = true;
    this.loop().catch((error: unknown) => this.onError(error));
  }

  private async loop(): Promise<void> {
    try {
      do {
        this.again = false;
        await this.round(() => this.nextAnswer());
      } while (this.again && !this.stopped);
    } finally {
      this.running = false;
    }
  }

  private nextAnswer(): Promise<string> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiting = undefined;
        reject(new Error('no answer to the offer in time'));
      }, ANSWER_TIMEOUT_MS);
      this.waiting = { resolve, timer };
    });
  }

  /** Hands the client's answer to the waiting round; false when no offer is out. */
  answer(sdp: string): boolean {
    const waiting = this.waiting;
    if (!waiting) return false;
    this.waiting = undefined;
    clearTimeout(waiting.timer);
    waiting.resolve(sdp);
    return true;
  }

  stop(): void {
    this.stopped = true;
    if (this.waiting) clearTimeout(this.waiting.timer);
    this.waiting = undefined;
  }
}
