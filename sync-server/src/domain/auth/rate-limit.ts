import { AppError } from '@echora/shared';

/** How many hits a key may make per window. */
export interface RateLimit {
  max: number;
  windowMs: number;
}

/**
 * A fixed-window counter per key, in this process's memory. Several nodes
 * each count on their own; that only multiplies the limit by the node count.
 */
export class RateLimiter {
  readonly #windows = new Map<string, { count: number; resetAt: number }>();

  constructor(
    readonly limit: RateLimit,
    readonly label: string,
  ) {}

  /** Counts one hit for `key`; throws `rate_limited` with the wait when over the limit. */
  hit(key: string, now = Date.now()): void {
    if (this.#windows.size > 10_000) this.#sweep(now);
    let window = this.#windows.get(key);
    if (!window || window.resetAt <= now) {
      window = { count: 0, resetAt: now + this.limit.windowMs };
      this.#windows.set(key, window);
    }
    window.count += 1;
    if (window.count > this.limit.max) {
      throw new AppError(
        'rate_limited',
        `Too many ${this.label}; try again later`,
        window.resetAt - now,
      );
    }
  }

  #sweep(now: number): void {
    for (const [key, window] of this.#windows) if (window.resetAt <= now) this.#windows.delete(key);
  }
}
