import type { ReplicaPort } from './engine-port.ts';

/*
 * The replica's kv table stores `{ key, value }` rows. Everything the UI keeps
 * there (session, last channel, drafts) goes through these two functions so a
 * change of row shape is one edit.
 */

interface KvRow {
  key: string;
  value: unknown;
}

/** Reads a kv value, or undefined when missing. */
export async function kvGet<T>(replica: ReplicaPort, key: string): Promise<T | undefined> {
  const row = (await replica.kv.get(key)) as KvRow | undefined;
  return row?.value as T | undefined;
}

/** Writes (or, with undefined, deletes) a kv value. */
export async function kvSet(replica: ReplicaPort, key: string, value: unknown): Promise<void> {
  if (value === undefined) await replica.kv.delete(key);
  else await replica.kv.put({ key, value } satisfies KvRow);
}
