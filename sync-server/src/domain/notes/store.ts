import * as Y from 'yjs';
import type { Db, Queryable } from '../../db/types.ts';

/** bytea comes back as a Buffer from `pg` and a Uint8Array from PGlite. */
const bytes = (value: unknown): Uint8Array => new Uint8Array(value as Uint8Array);

/** A notes document as stored: the compacted state and the updates appended since. */
export interface StoredNote {
  state: Uint8Array | undefined;
  updates: Uint8Array[];
  /** Bytes stored: the compacted state plus every update since. */
  bytes: number;
}

/**
 * Reads a channel's notes document (empty when it was never written). One
 * statement, so one snapshot: a compaction committing meanwhile cannot make
 * the old state and the emptied update list meet.
 */
export async function loadNote(db: Queryable, channelId: string): Promise<StoredNote> {
  const { rows } = await db.query<{ part: number; data: unknown }>(
    `SELECT 0 AS part, state AS data, 0::bigint AS id FROM notes WHERE channel_id = $1
     UNION ALL
     SELECT 1 AS part, update AS data, id FROM note_updates WHERE channel_id = $1
     ORDER BY part, id`,
    [channelId],
  );
  const stored: StoredNote = { state: undefined, updates: [], bytes: 0 };
  for (const row of rows) {
    const data = bytes(row.data);
    if (Number(row.part) === 0) stored.state = data;
    else stored.updates.push(data);
    stored.bytes += data.length;
  }
  return stored;
}

/** A Y.Doc holding everything stored for the channel. */
export function toDoc(stored: StoredNote): Y.Doc {
  const doc = new Y.Doc();
  Y.transact(doc, () => {
    if (stored.state) Y.applyUpdate(doc, stored.state);
    for (const u of stored.updates) Y.applyUpdate(doc, u);
  });
  return doc;
}

/** Appends one update of `userId` to the channel's document (the writing path). */
export async function appendNoteUpdate(
  db: Queryable,
  channelId: string,
  update: Uint8Array,
  userId: string | null,
): Promise<void> {
  await db.query('INSERT INTO note_updates (channel_id, update, user_id) VALUES ($1, $2, $3)', [
    channelId,
    update,
    userId,
  ]);
}

/** What a compaction did. */
export interface Compaction {
  /** Updates merged into the state (0: nothing to do). */
  merged: number;
  /** Bytes of the compacted state. */
  bytes: number;
}

/**
 * Merges the channel's state and every update appended so far into one state
 * update (garbage-collected: deleted text takes no room), deletes those
 * updates, and keeps the new state as a snapshot, the last `keepSnapshots`
 * of them. The row lock makes two nodes compacting at once take turns; an
 * update appended meanwhile has a higher id and stays for the next round.
 */
export async function compactNote(
  db: Db,
  channelId: string,
  keepSnapshots: number,
): Promise<Compaction> {
  return db.transaction(async (tx) => {
    await tx.query(
      `INSERT INTO notes (channel_id, state, state_bytes) VALUES ($1, '\\x0000'::bytea, 2)
       ON CONFLICT (channel_id) DO NOTHING`,
      [channelId],
    );
    const { rows } = await tx.query<{ state: unknown }>(
      'SELECT state FROM notes WHERE channel_id = $1 FOR UPDATE',
      [channelId],
    );
    const updates = await tx.query<{ id: string; update: unknown }>(
      'SELECT id, update FROM note_updates WHERE channel_id = $1 ORDER BY id',
      [channelId],
    );
    const state = bytes(rows[0]?.state);
    if (updates.rows.length === 0) return { merged: 0, bytes: state.length };
    const doc = toDoc({ state, updates: updates.rows.map((r) => bytes(r.update)), bytes: 0 });
    const merged = Y.encodeStateAsUpdate(doc);
    doc.destroy();
    const lastId = updates.rows[updates.rows.length - 1]?.id;
    await tx.query(
      'UPDATE notes SET state = $2, state_bytes = $3, updated_at = now() WHERE channel_id = $1',
      [channelId, merged, merged.length],
    );
    await tx.query('DELETE FROM note_updates WHERE channel_id = $1 AND id <= $2', [
      channelId,
      lastId,
    ]);
    await tx.query('INSERT INTO note_snapshots (channel_id, state) VALUES ($1, $2)', [
      channelId,
      merged,
    ]);
    await tx.query(
      `DELETE FROM note_snapshots WHERE channel_id = $1 AND id NOT IN (
         SELECT id FROM note_snapshots WHERE channel_id = $1 ORDER BY id DESC LIMIT $2)`,
      [channelId, keepSnapshots],
    );
    return { merged: updates.rows.length, bytes: merged.length };
  });
}

/** A kept version of a document, newest first. */
export interface NoteSnapshot {
  id: string;
  createdAt: string;
  state: Uint8Array;
}

export async function listNoteSnapshots(db: Queryable, channelId: string): Promise<NoteSnapshot[]> {
  const { rows } = await db.query<{ id: string; created_at: Date | string; state: unknown }>(
    'SELECT id, created_at, state FROM note_snapshots WHERE channel_id = $1 ORDER BY id DESC',
    [channelId],
  );
  return rows.map((r) => ({
    id: String(r.id),
    createdAt: new Date(r.created_at).toISOString(),
    state: bytes(r.state),
  }));
}

/** One kept version of the channel's document (the id alone never finds another channel's). */
export async function noteSnapshot(
  db: Queryable,
  channelId: string,
  id: string,
): Promise<Uint8Array | undefined> {
  const { rows } = await db.query<{ state: unknown }>(
    'SELECT state FROM note_snapshots WHERE channel_id = $1 AND id = $2',
    [channelId, id],
  );
  return rows[0] ? bytes(rows[0].state) : undefined;
}

/** The text of a stored state. */
export function textOf(state: Uint8Array): string {
  const doc = new Y.Doc();
  Y.applyUpdate(doc, state);
  const text = doc.getText('content').toJSON();
  doc.destroy();
  return text;
}

/**
 * The update that turns `current`'s text into `text`: computed on a copy, so
 * it goes through the writing path like any edit.
 */
export function replaceTextUpdate(current: Y.Doc, text: string): Uint8Array {
  const copy = new Y.Doc();
  Y.applyUpdate(copy, Y.encodeStateAsUpdate(current));
  const before = Y.encodeStateVector(copy);
  const content = copy.getText('content');
  copy.transact(() => {
    content.delete(0, content.length);
    content.insert(0, text);
  });
  const update = Y.encodeStateAsUpdate(copy, before);
  copy.destroy();
  return update;
}
