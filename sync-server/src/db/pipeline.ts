/**
 * Awaits statements issued together (one round trip in a pipelined
 * transaction) and only then throws the first failure, in the order they were
 * issued: an error is never acted on (a ROLLBACK TO SAVEPOINT sent) while a
 * statement issued beside it is still running and may send more behind it.
 */
export async function settled<T extends readonly unknown[]>(
  ...pending: { [K in keyof T]: Promise<T[K]> }
): Promise<T> {
  const results = await Promise.allSettled(pending);
  const values: unknown[] = [];
  for (const result of results) {
    if (result.status === 'rejected') throw result.reason;
    values.push(result.value);
  }
  return values as unknown as T;
}
