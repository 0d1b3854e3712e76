/** Reconnect delays: exponential, capped, with full jitter so clients do not reconnect in step. */
export interface BackoffOptions {
  baseMs: number;
  capMs: number;
}

export const defaultBackoff: BackoffOptions = { baseMs: 500, capMs: 30_000 };

/**
 * The wait before reconnect attempt `attempt` (0-based): a uniform draw from
 * zero up to `min(cap, base * 2^attempt)`.
 */
export function backoffDelay(
  attempt: number,
  options: BackoffOptions,
  random = Math.random,
): number {
  const ceiling = Math.min(options.capMs, options.baseMs * 2 ** Math.min(attempt, 30));
  return Math.floor(random() * ceiling);
}
