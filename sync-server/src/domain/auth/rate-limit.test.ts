import { describe, expect, it } from 'vitest';
import { AppError } from '@echora/shared';
import { RateLimiter } from './rate-limit.ts';

describe('RateLimiter', () => {
  it('allows max hits per window per key, then says how long to wait', () => {
    const limiter = new RateLimiter({ max: 2, windowMs: 1000 }, 'tries');
    limiter.hit('a', 0);
    limiter.hit('a', 10);
    limiter.hit('b', 10);
    let caught: unknown;
    try {
      limiter.hit('a', 400);
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(AppError);
    expect((caught as AppError).toWire()).toEqual({
      kind: 'rate_limited',
      message: 'Too many tries; try again later',
      retryAfterMs: 600,
    });
    // A new window starts fresh.
    expect(() => limiter.hit('a', 1000)).not.toThrow();
  });
});
