import type { Change, EntityName } from '@echora/shared';
import type { Queryable } from '../db/types.ts';

/** What a writer appends to a scope's feed; the version is assigned by {@link appendChanges}. */
export type FeedEntry =
  | { op: 'upsert'; entity: EntityName; id: string; data: object }
  | { op: 'delete'; entity: EntityName; id: string };

interface FeedRow extends Record<string, unknown> {
  version: number;
  entity: EntityName;
  op: 'upsert' | 'delete';
  entity_id: string;
  data: unknown;
}

/**
 * A counter in `scopes` that no client watches (it has no feed): every write
 * that changes who takes part in a direct conversation, or a block between
 * two of them, takes its next version. Conversations travel in their
 * participants' own scopes, not the community's, so permission caches learn
 * of them from this version (see `AccessCache.invalidateDms`).
 */
export const DM_ACCESS_COUNTER = 'dm-access';

/**
 * Takes the next `count` versions of `scope`. The UPDATE locks the scope's row
 * until the transaction ends, so a later writer waits and commits after us:
 * versions are gap-free and commit in version order. Returns the first version.
 */
export async function takeVersions(tx: Queryable, scope: string, count = 1): Promise<number> {
  const { rows } = await tx.query<{ version: number }>(
    `INSERT INTO scopes (scope, version) VALUES ($1, $2)
     ON CONFLICT (scope) DO UPDATE SET version = scopes.version + $2
     RETURNING version`,
    [scope, count],
  );
  const last = rows[0]?.version;
  if (last === undefined) throw new Error(`no version for ${scope}`);
  return Number(last) - count + 1;
}

/**
 * Appends entries to `scope`'s feed under fresh versions (see {@link takeVersions})
 * and returns them as changes, in order.
 */
export async function appendChanges(
  tx: Queryable,
  scope: string,
  entries: readonly FeedEntry[],
): Promise<Change[]> {
  if (entries.length === 0) return [];
  const first = await takeVersions(tx, scope, entries.length);
  return appendAt(tx, scope, first, entries);
}

/** Appends entries whose versions the caller already took, starting at `first`. */
export async function appendAt(
  tx: Queryable,
  scope: string,
  first: number,
  entries: readonly FeedEntry[],
): Promise<Change[]> {
  return appendRows(
    tx,
    entries.map((entry, i) => ({ scope, version: first + i, entry })),
  );
}

/** One feed row to write: an entry under a version its writer already took. */
export interface FeedRowToWrite {
  scope: string;
  version: number;
  entry: FeedEntry;
}

/** Appends rows of any scopes in one statement; returns each one's change, in order. */
export async function appendRows(
  tx: Queryable,
  rows: readonly FeedRowToWrite[],
): Promise<Change[]> {
  const changes = rows.map((r) => toChange(r.version, r.entry));
  if (rows.length === 0) return changes;
  await tx.query(
    `INSERT INTO feed (scope, version, entity, op, entity_id, data)
     SELECT * FROM unnest($1::text[], $2::bigint[], $3::text[], $4::text[], $5::uuid[], $6::jsonb[])`,
    [
      rows.map((r) => r.scope),
      changes.map((c) => c.version),
      rows.map((r) => r.entry.entity),
      rows.map((r) => r.entry.op),
      rows.map((r) => r.entry.id),
      rows.map((r) => (r.entry.op === 'upsert' ? JSON.stringify(r.entry.data) : null)),
    ],
  );
  return changes;
}

function toChange(version: number, e: FeedEntry): Change {
  if (e.op === 'delete') return { version, op: 'delete', entity: e.entity, id: e.id };
  // The feed only holds what writers built from typed entities.
  return { version, op: 'upsert', entity: e.entity, data: e.data } as Change;
}

/** The current version of a scope (0 when nothing was ever written to it). */
export async function scopeVersion(db: Queryable, scope: string): Promise<number> {
  const { rows } = await db.query<{ version: number }>(
    'SELECT version FROM scopes WHERE scope = $1',
    [scope],
  );
  return Number(rows[0]?.version ?? 0);
}

/** Up to `limit` changes of `scope` after version `after`, in version order. */
export async function readChanges(
  db: Queryable,
  scope: string,
  after: number,
  limit: number,
): Promise<Change[]> {
  const { rows } = await db.query<FeedRow>(
    `SELECT version, entity, op, entity_id, data FROM feed
     WHERE scope = $1 AND version > $2 ORDER BY version LIMIT $3`,
    [scope, after, limit],
  );
  return rows.map((r) =>
    r.op === 'delete'
      ? { version: Number(r.version), op: 'delete', entity: r.entity, id: r.entity_id }
      : ({ version: Number(r.version), op: 'upsert', entity: r.entity, data: r.data } as Change),
  );
}
