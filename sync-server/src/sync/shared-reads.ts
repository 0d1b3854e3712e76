/** How long a finished read still serves callers that read the same version. */
const KEEP_MS = 1000;

interface Entry {
  version: number;
  rows: Promise<unknown>;
}

/** Per database (tests run several in one process): scope → its last read. */
const byDb = new WeakMap<object, Map<string, Entry>>();

/**
 * The rows of `scope` at `version`, read once for every caller that asks for
 * the same version while the read runs or within a second after: a thousand
 * sockets reconnecting at once read a channel's page once, not a thousand
 * times. The rows must not depend on who asks, and callers must not change
 * them. Rows read after the version was read stay a valid snapshot of it
 * (newer changes replay as idempotent upserts), so a shared read is as good
 * as one's own. A failed read is forgotten at once.
 */
export function sharedRead<T>(
  db: object,
  scope: string,
  version: number,
  read: () => Promise<T>,
): Promise<T> {
  let reads = byDb.get(db);
  if (!reads) {
    reads = new Map();
    byDb.set(db, reads);
  }
  const known = reads.get(scope);
  if (known?.version === version) return known.rows as Promise<T>;
  const entry: Entry = { version, rows: read() };
  reads.set(scope, entry);
  const forget = () => {
    if (reads.get(scope) === entry) reads.delete(scope);
  };
  entry.rows.then(() => setTimeout(forget, KEEP_MS).unref(), forget);
  return entry.rows as Promise<T>;
}
