/** Postgres unique_violation. */
export function isUniqueViolation(err: unknown): boolean {
  return typeof err === 'object' && err !== null && 'code' in err && err.code === '23505';
}

/**
 * Postgres refused a string it cannot store (NUL in `text`, `\u0000` in
 * `jsonb`): the client's mistake, which the schemas should have caught first.
 */
export function isUnstorableText(err: unknown): boolean {
  return (
    typeof err === 'object' &&
    err !== null &&
    'code' in err &&
    (err.code === '22021' || err.code === '22P05')
  );
}

/**
 * True for failures that say nothing about the mutation itself: the database
 * went away or was busy (connection errors, admin shutdown, too many clients,
 * serialization failures, deadlocks). Such a mutation must not be recorded as
 * refused: the client resends it and it applies once the database is back.
 */
export function isTransientDbError(err: unknown): boolean {
  if (typeof err !== 'object' || err === null) return false;
  const code = 'code' in err && typeof err.code === 'string' ? err.code : '';
  if (/^(08|53|57P)/.test(code) || code === '40001' || code === '40P01') return true;
  if (['ECONNREFUSED', 'ECONNRESET', 'EPIPE', 'ETIMEDOUT', 'ENOTCONN'].includes(code)) return true;
  const message = err instanceof Error ? err.message : '';
  return /Connection terminated|connection is closed|Client was closed|not queryable/i.test(
    message,
  );
}
