/** Refills `capacity` tokens every `windowMs`, continuously; a burst may spend them all at once. */
export class TokenBucket {
  private tokens: number;
  private last: number;

  constructor(
    private readonly capacity: number,
    private readonly windowMs: number,
    now = Date.now(),
  ) {
    this.tokens = capacity;
    this.last = now;
  }

  /**
   * Takes `cost` tokens (a fraction for cheap actions): 0 when they were there,
   * else the milliseconds until they will be. A refusal takes nothing.
   */
  take(now = Date.now(), cost = 1): number {
    this.tokens = Math.min(
      this.capacity,
      this.tokens + ((now - this.last) * this.capacity) / this.windowMs,
    );
    this.last = now;
    if (this.tokens >= cost) {
      this.tokens -= cost;
      return 0;
    }
    return Math.ceil(((cost - this.tokens) * this.windowMs) / this.capacity);
  }
}

/** One bucket per key (a user), forgotten once full again so the map stays small. */
export class KeyedLimiter {
  private readonly buckets = new Map<string, { bucket: TokenBucket; touched: number }>();

  constructor(
    private readonly capacity: number,
    private readonly windowMs: number,
  ) {}

  /** Takes `cost` tokens from `key`'s bucket: 0 when allowed, else the milliseconds to wait. */
  take(key: string, cost = 1, now = Date.now()): number {
    if (this.buckets.size > 10_000) this.sweep(now);
    const entry = this.buckets.get(key) ?? {
      bucket: new TokenBucket(this.capacity, this.windowMs, now),
      touched: now,
    };
    entry.touched = now;
    this.buckets.set(key, entry);
    return entry.bucket.take(now, cost);
  }

  private sweep(now: number): void {
    for (const [key, entry] of this.buckets) {
      if (now - entry.touched > this.windowMs) this.buckets.delete(key);
    }
  }
}
