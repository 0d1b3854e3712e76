import { randomUUID } from 'node:crypto';
import * as Y from 'yjs';
import {
  applyAwarenessUpdate,
  encodeAwarenessUpdate,
  removeAwarenessStates,
} from 'y-protocols/awareness';
import { AppError, type WireError } from '@echora/shared';
import type { Bus, NotesEvent } from '../../bus/types.ts';
import type { Db } from '../../db/types.ts';
import { appendNoteUpdate, compactNote, loadNote } from '../../domain/notes/store.ts';
import type { SyncLog } from '../deps.ts';
import { fromBase64, readAwareness, toBase64, writeAwareness } from './codec.ts';
import { NoteRoom, REMOTE, type NoteMember } from './room.ts';

export interface NotesOptions {
  /** Largest compacted state (and so update) a document may reach, in bytes. */
  maxBytes: number;
  /** Compact once this node appended this many updates to a document... */
  compactEvery: number;
  /** ...or once a document was quiet this long after a write. */
  idleMs: number;
  /** Compacted versions kept per document for restore. */
  keepSnapshots: number;
}

export const defaultNotesOptions: NotesOptions = {
  maxBytes: 512 * 1024,
  compactEvery: 200,
  idleMs: 5000,
  keepSnapshots: 20,
};

/** Awareness entries one frame may carry (one per tab of the socket is plenty). */
const MAX_AWARENESS_ENTRIES = 4;
/** Awareness client ids one socket may announce in one document. */
const MAX_AWARENESS_IDS = 4;
/** A cursor, a selection and a name take a few hundred bytes: a frame may take this many. */
export const MAX_AWARENESS_BYTES = 4096;

/**
 * The notes documents open on this node. A document is loaded when its first
 * socket opens it and dropped (after a last compaction) when its last one
 * leaves. Updates are stored before they are applied and published; other
 * nodes apply what the bus brings them. A node subscribes before it loads, so
 * an update committed after its load reaches it on the bus.
 */
export class NoteRooms {
  readonly nodeId = randomUUID();
  private readonly rooms = new Map<string, NoteRoom>();
  private readonly loading = new Map<string, Promise<NoteRoom>>();
  private unsubscribe: (() => void) | undefined;
  /** Last compactions of documents whose last socket left; `close` waits for them. */
  private readonly dropping = new Set<Promise<unknown>>();

  constructor(
    private readonly db: Db,
    private readonly bus: Bus,
    private readonly log: SyncLog,
    readonly options: NotesOptions,
  ) {}

  start(): void {
    this.unsubscribe = this.bus.subscribe((e) => {
      if (e.type === 'notes' && e.nodeId !== this.nodeId) this.onRemote(e);
    });
  }

  /** Adds `member` to the channel's document, loading it first if needed. */
  async join(channelId: string, member: NoteMember): Promise<NoteRoom> {
    let room = this.rooms.get(channelId);
    if (!room) {
      const created = new NoteRoom(
        channelId,
        (data) => void this.publish(channelId, 'awareness', data),
      );
      this.rooms.set(channelId, created);
      const loading = this.load(created);
      // Cursors live only in memory: the nodes that hold some send them (clients renew theirs every 15 s).
      void this.publish(channelId, 'cursors', new Uint8Array());
      this.loading.set(channelId, loading);
      // A failed load (the database is down) must not stay cached: the next open tries again.
      loading.catch(() => {
        if (this.rooms.get(channelId) === created) this.rooms.delete(channelId);
        if (this.loading.get(channelId) === loading) this.loading.delete(channelId);
        created.destroy();
      });
      room = created;
    }
    room.members.add(member);
    await this.loading.get(channelId);
    return room;
  }

  /** Removes `member`, its cursors with it; the last one out compacts and drops the document. */
  leave(room: NoteRoom, member: NoteMember): void {
    if (!room.members.delete(member)) return;
    if (member.awarenessIds.size > 0) {
      removeAwarenessStates(room.awareness, [...member.awarenessIds], 'leave');
    }
    if (room.members.size > 0) return;
    this.rooms.delete(room.channelId);
    const loading = this.loading.get(room.channelId);
    const drop = (loading ?? Promise.resolve())
      .then(() => (room.pending > 0 ? this.compact(room) : undefined))
      .catch(() => undefined)
      .finally(() => {
        if (this.loading.get(room.channelId) === loading) this.loading.delete(room.channelId);
        room.destroy();
        this.dropping.delete(drop);
      });
    this.dropping.add(drop);
  }

  /**
   * The writing path of one update by `member` (the caller checked that they
   * may write, and the rate limit): bounded, stored, applied, published.
   */
  async write(
    room: NoteRoom,
    update: Uint8Array,
    member: NoteMember | undefined,
  ): Promise<WireError | undefined> {
    const { maxBytes } = this.options;
    if (room.bytes + update.length > maxBytes) {
      // The stored bytes overcount what compaction would drop: measure the document.
      room.bytes = Y.encodeStateAsUpdate(room.doc).length;
      if (room.bytes + update.length > maxBytes) {
        return new AppError(
          'too_large',
          `The notes are full: a document holds at most ${Math.round(maxBytes / 1024)} KB.`,
        ).toWire();
      }
    }
    await appendNoteUpdate(this.db, room.channelId, update, member?.userId ?? null);
    room.bytes += update.length;
    room.pending += 1;
    Y.applyUpdate(room.doc, update, member ?? 'server');
    await this.publish(room.channelId, 'update', update);
    if (room.pending >= this.options.compactEvery) void this.compact(room);
    else {
      clearTimeout(room.idleTimer);
      room.idleTimer = setTimeout(() => void this.compact(room), this.options.idleMs);
      room.idleTimer.unref();
    }
    return undefined;
  }

  /**
   * Applies an awareness update of `member`: every entry is stamped with the
   * socket's user id (a client cannot show a cursor under someone else's name).
   */
  awareness(room: NoteRoom, data: Uint8Array, member: NoteMember): WireError | undefined {
    if (data.length > MAX_AWARENESS_BYTES) {
      return { kind: 'too_large', message: `data: at most ${MAX_AWARENESS_BYTES} bytes` };
    }
    const entries = readAwareness(data, MAX_AWARENESS_ENTRIES);
    if (!entries) return { kind: 'invalid', message: 'data: not an awareness update' };
    const ids = new Set([...member.awarenessIds, ...entries.map((e) => e.clientId)]);
    if (ids.size > MAX_AWARENESS_IDS) {
      return { kind: 'too_large', message: `At most ${MAX_AWARENESS_IDS} cursors per socket.` };
    }
    // Nobody may move or remove the cursor of someone else (on any node).
    if (
      entries.some((e) => (room.cursorOwners.get(e.clientId) ?? member.userId) !== member.userId)
    ) {
      // Not `forbidden`: to the web client that means "read-only".
      return { kind: 'invalid', message: 'data: that cursor belongs to someone else' };
    }
    for (const e of entries) {
      if (e.state !== null) {
        const user = typeof e.state.user === 'object' && e.state.user !== null ? e.state.user : {};
        e.state = { ...e.state, user: { ...user, id: member.userId } };
      }
      member.awarenessIds.add(e.clientId);
    }
    applyAwarenessUpdate(room.awareness, writeAwareness(entries), member);
    return undefined;
  }

  /** Compacts one document now (one at a time per document). */
  compact(room: NoteRoom): Promise<unknown> {
    clearTimeout(room.idleTimer);
    const pending = room.pending;
    room.compacting = room.compacting
      .then(() => compactNote(this.db, room.channelId, this.options.keepSnapshots))
      .then((result) => {
        room.pending = Math.max(0, room.pending - pending);
        room.bytes = result.bytes;
      })
      .catch((err: unknown) => this.log.error({ err }, 'notes compaction failed'));
    return room.compacting;
  }

  /** Compacts every document with writes, then stops listening. */
  async close(): Promise<void> {
    this.unsubscribe?.();
    const open = [...this.rooms.values()].map((r) =>
      r.pending > 0 ? this.compact(r) : r.compacting,
    );
    await Promise.all([...open, ...this.dropping]);
  }

  private async load(room: NoteRoom): Promise<NoteRoom> {
    const stored = await loadNote(this.db, room.channelId);
    Y.transact(
      room.doc,
      () => {
        if (stored.state) Y.applyUpdate(room.doc, stored.state);
        for (const u of stored.updates) Y.applyUpdate(room.doc, u);
      },
      REMOTE,
    );
    room.bytes = stored.bytes;
    const early = room.early ?? [];
    room.early = undefined;
    for (const e of early) this.applyRemote(room, e.kind, e.data);
    return room;
  }

  private onRemote(e: NotesEvent): void {
    const room = this.rooms.get(e.channelId);
    if (!room) return;
    if (e.kind === 'cursors') return this.sendCursors(room);
    const data = fromBase64(e.data);
    if (room.early) room.early.push({ kind: e.kind, data });
    else this.applyRemote(room, e.kind, data);
  }

  private applyRemote(room: NoteRoom, kind: 'update' | 'awareness', data: Uint8Array): void {
    try {
      if (kind === 'update') {
        room.bytes += data.length;
        Y.applyUpdate(room.doc, data, REMOTE);
      } else applyAwarenessUpdate(room.awareness, data, REMOTE);
    } catch (err) {
      this.log.error({ err }, 'notes: a bus event did not apply');
    }
  }

  /** Publishes the cursors of this node's sockets in `room` (another node asked). */
  private sendCursors(room: NoteRoom): void {
    const states = room.awareness.getStates();
    const ids = [...room.members].flatMap((m) =>
      [...m.awarenessIds].filter((id) => states.has(id)),
    );
    if (ids.length === 0) return;
    void this.publish(room.channelId, 'awareness', encodeAwarenessUpdate(room.awareness, ids));
  }

  private async publish(channelId: string, kind: NotesEvent['kind'], data: Uint8Array) {
    const event: NotesEvent = {
      type: 'notes',
      kind,
      channelId,
      nodeId: this.nodeId,
      data: toBase64(data),
    };
    await this.bus
      .publish(event)
      .catch((err: unknown) => this.log.error({ err }, 'notes publish failed'));
  }
}
