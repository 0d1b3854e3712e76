import { AppError } from '@echora/shared';

/** How many hits a key may make per window. */
export interface RateLimit {
  max: number;
  windowMs: number;
}

interface Window {
  count: number;
  resetAt: number;
}

/**
 * Fixed-window counts per key, in this process's memory. Several nodes each
 * count on their own; that only multiplies a limit by the node count. Expired
 * windows are dropped once more than 10,000 keys are held.
 */
export class WindowCounter {
  readonly #windows = new Map<string, Window>();

  constructor(readonly windowMs: number) {}

  /** Counts one hit for `key`; returns the hits in its window so far and when it ends. */
  add(key: string, now = Date.now()): Window {
    if (this.#windows.size > 10_000) this.#sweep(now);
    let window = this.#windows.get(key);
    if (!window || window.resetAt <= now) {
      window = { count: 0, resetAt: now + this.windowMs };
      this.#windows.set(key, window);
    }
    window.count += 1;
    return window;
  }

  /** The hits `key` made in its current window. */
  get(key: string, now = Date.now()): number {
    const window = this.#windows.get(key);
    return window && window.resetAt > now ? window.count : 0;
  }

  #sweep(now: number): void {
    for (const [key, window] of this.#windows) if (window.resetAt <= now) this.#windows.delete(key);
  }
}

/** A fixed-window limit per key: over it, `hit` throws `rate_limited` with the wait. */
export class RateLimiter {
  readonly #counter: WindowCounter;

  constructor(
    readonly limit: RateLimit,
    readonly label: string,
  ) {
    this.#counter = new WindowCounter(limit.windowMs);
  }

  /** Counts one hit for `key`; throws `rate_limited` with the wait when over the limit. */
  hit(key: string, now = Date.now()): void {
    const window = this.#counter.add(key, now);
    if (window.count > this.limit.max) {
      throw new AppError(
        'rate_limited',
        `Too many ${this.label}; try again later`,
        window.resetAt - now,
      );
    }
  }
}
