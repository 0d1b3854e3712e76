import { RateLimiter, WindowCounter, type RateLimit } from './rate-limit.ts';

/**
 * The global backstop on one username: past `freeFailures` wrong passwords in
 * `windowMs` (from all addresses together), each attempt on that username
 * waits `delayPerFailureMs` per failure over the allowance, at most
 * `maxDelayMs`, before its password is checked. It slows guessing spread
 * over many addresses; it never refuses, so nobody can lock the owner out.
 */
export interface LoginBackstop {
  freeFailures: number;
  windowMs: number;
  delayPerFailureMs: number;
  maxDelayMs: number;
}

/** The limits {@link LoginGuard} enforces. */
export interface LoginLimits {
  /** Attempts per address, whatever the usernames. */
  perIp: RateLimit;
  /** Attempts per username (any letter case) from one address. */
  perUsernameAndIp: RateLimit;
  backstop: LoginBackstop;
}

/**
 * Login rate limits. A username is limited per address, not from everywhere:
 * a limit from everywhere let anyone lock a user out with a few wrong
 * passwords a minute. Guessing from many addresses meets the backstop's
 * delay instead.
 */
export class LoginGuard {
  readonly #perIp: RateLimiter;
  readonly #perUsernameAndIp: RateLimiter;
  readonly #failures: WindowCounter;

  constructor(readonly limits: LoginLimits) {
    this.#perIp = new RateLimiter(limits.perIp, 'login attempts');
    this.#perUsernameAndIp = new RateLimiter(limits.perUsernameAndIp, 'login attempts');
    this.#failures = new WindowCounter(limits.backstop.windowMs);
  }

  /**
   * Counts an attempt on `username` from `ip`. Throws `rate_limited` when
   * that address is over a limit; else returns how long (ms) to wait before
   * checking the password: 0 unless the username is under attack.
   */
  admit(username: string, ip: string, now = Date.now()): number {
    const name = normalise(username);
    this.#perIp.hit(ip, now);
    // A NUL cannot occur in a username or an address, so the key is unambiguous.
    this.#perUsernameAndIp.hit(`${name}\u0000${ip}`, now);
    const { freeFailures, delayPerFailureMs, maxDelayMs } = this.limits.backstop;
    const excess = this.#failures.get(name, now) - freeFailures;
    return excess > 0 ? Math.min(maxDelayMs, excess * delayPerFailureMs) : 0;
  }

  /** Records a wrong password (or unknown user) for `username`. */
  failed(username: string, now = Date.now()): void {
    this.#failures.add(normalise(username), now);
  }
}

// Usernames match in any letter case; an over-long one is refused later anyway.
const normalise = (username: string) => username.slice(0, 64).toLowerCase();
