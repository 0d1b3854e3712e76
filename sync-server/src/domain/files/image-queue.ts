import pLimit from 'p-limit';

/**
 * Image jobs (sharp: decoding, re-encoding, thumbnails) run at most this many
 * at a time. Each one holds a thread of libuv's pool, the pool Argon2 hashes
 * passwords on: twelve unbounded uploads of huge images once made logins wait
 * seconds. One at a time leaves the rest of the pool to logins and file I/O;
 * other uploads wait their turn, which only they notice.
 */
export const IMAGE_CONCURRENCY = 1;

const limit = pLimit(IMAGE_CONCURRENCY);

/** Runs `job` when an image slot is free; resolves or rejects as it does. */
export function imageWork<T>(job: () => Promise<T>): Promise<T> {
  return limit(job);
}

/** Image jobs running and waiting now (for tests and diagnostics). */
export function imageQueueDepth(): { active: number; pending: number } {
  return { active: limit.activeCount, pending: limit.pendingCount };
}
