import * as Y from 'yjs';
import * as awarenessProtocol from 'y-protocols/awareness';
import * as syncProtocol from 'y-protocols/sync';
import * as decoding from 'lib0/decoding';
import * as encoding from 'lib0/encoding';
import { fromBase64, toBase64 } from 'lib0/buffer';
import { IndexeddbPersistence } from 'y-indexeddb';
import { notesDbName } from './notes-storage.ts';
import type { NotesDown, NotesUp, NotesVersionsDown, WireError } from '@echora/shared';
import { Emitter } from './emitter.ts';

/** What the provider needs from the sync engine. */
export interface NotesTransport {
  readonly state: 'offline' | 'connecting' | 'online';
  onState(cb: (state: 'offline' | 'connecting' | 'online') => void): () => void;
  sendNotes(frame: NotesUp): boolean;
  onNotes(cb: (frame: NotesDown) => void): () => void;
}

export interface NotesStatus {
  /** The server has the document open for us and answered our state. */
  online: boolean;
  /** The copy on this device has loaded (the pane can show it, offline too). */
  loaded: boolean;
  /** Whether our edits are kept; unknown (undefined) until the server says. */
  canWrite: boolean | undefined;
  /** The last refusal worth showing (too large, lost access). */
  error: WireError | undefined;
}

/** Local edits are merged and sent at most this often: they count against the send rate. */
export const FLUSH_MS = 1000;
const AWARENESS_MS = 100;
const SERVER = Symbol('server');

/** A colour per user, the same on every device. */
export function colorOf(userId: string): string {
  let hash = 0;
  for (const ch of userId) hash = (hash * 31 + ch.charCodeAt(0)) >>> 0;
  return `hsl(${hash % 360} 70% 55%)`;
}

/**
 * One channel's notes on this device: a Y.Doc kept in IndexedDB (opens and
 * edits offline), synced with the server through notes frames of the sync
 * socket whenever it is online (re-opened on every reconnect: both sides send
 * what the other lacks). Names on remote cursors come from `nameOf` (the
 * member list), never from what the other client claims.
 */
export class NotesProvider {
  readonly doc = new Y.Doc();
  readonly text = this.doc.getText('content');
  readonly awareness = new awarenessProtocol.Awareness(this.doc);
  readonly status = new Emitter<NotesStatus>();
  /** The kept versions, when the server sends them (after `requestVersions`). */
  readonly versions = new Emitter<NotesVersionsDown['versions']>();
  #status: NotesStatus = { online: false, loaded: false, canWrite: undefined, error: undefined };
  readonly #persistence: IndexeddbPersistence;
  readonly #cleanup: (() => void)[] = [];
  #pending: Uint8Array[] = [];
  #flushTimer: ReturnType<typeof setTimeout> | undefined;
  #awarenessTimer: ReturnType<typeof setTimeout> | undefined;
  #awarenessChanged = new Set<number>();
  #retryTimer: ReturnType<typeof setTimeout> | undefined;
  #destroyed = false;

  constructor(
    private readonly transport: NotesTransport,
    readonly channelId: string,
    self: { id: string; name: string },
    private readonly nameOf: (userId: string) => string,
  ) {
    this.#persistence = new IndexeddbPersistence(notesDbName(self.id, channelId), this.doc);
    void this.#persistence.whenSynced.then(() => this.#set({ loaded: true }));
    this.awareness.setLocalStateField('user', {
      id: self.id,
      name: self.name,
      color: colorOf(self.id),
      colorLight: colorOf(self.id).replace('55%)', '55% / 0.25)'),
    });
    const onUpdate = (update: Uint8Array, origin: unknown) => {
      if (origin === SERVER || origin === this.#persistence) return;
      this.#pending.push(update);
      this.#flushTimer ??= setTimeout(() => this.#flush(), FLUSH_MS);
    };
    this.doc.on('update', onUpdate);
    const onAwareness = (
      { added, updated, removed }: { added: number[]; updated: number[]; removed: number[] },
      origin: unknown,
    ) => {
      if (origin === SERVER) return;
      for (const id of [...added, ...updated, ...removed]) this.#awarenessChanged.add(id);
      this.#awarenessTimer ??= setTimeout(() => this.#sendAwareness(), AWARENESS_MS);
    };
    this.awareness.on('update', onAwareness);
    this.#cleanup.push(
      transport.onNotes((frame) => {
        if (frame.channelId === channelId) this.#onFrame(frame);
      }),
      transport.onState((state) => {
        if (state === 'online') this.#open();
        else this.#set({ online: false });
      }),
    );
    if (transport.state === 'online') this.#open();
  }

  get current(): NotesStatus {
    return this.#status;
  }

  /** Asks for the kept versions (answered on `versions`); false when offline. */
  requestVersions(): boolean {
    return this.transport.sendNotes({ type: 'notes.versions', channelId: this.channelId });
  }

  /** Makes the text what it was in a kept version, for everyone; false when offline. */
  restore(versionId: string): boolean {
    return this.transport.sendNotes({
      type: 'notes.restore',
      channelId: this.channelId,
      versionId,
    });
  }

  /** Leaves the document: cursor removed, socket told, local copy closed (kept on disk). */
  destroy(): void {
    if (this.#destroyed) return;
    this.#destroyed = true;
    this.#flush();
    awarenessProtocol.removeAwarenessStates(this.awareness, [this.doc.clientID], 'destroy');
    this.#sendAwareness();
    this.transport.sendNotes({ type: 'notes.close', channelId: this.channelId });
    for (const stop of this.#cleanup) stop();
    for (const t of [this.#flushTimer, this.#awarenessTimer, this.#retryTimer]) clearTimeout(t);
    this.awareness.destroy();
    void this.#persistence.destroy().then(() => this.doc.destroy());
  }

  #set(patch: Partial<NotesStatus>): void {
    this.#status = { ...this.#status, ...patch };
    this.status.emit(this.#status);
  }

  #send(type: 'notes.sync' | 'notes.awareness', data: Uint8Array): boolean {
    return this.transport.sendNotes({ type, channelId: this.channelId, data: toBase64(data) });
  }

  #open(): void {
    if (this.#destroyed) return;
    clearTimeout(this.#retryTimer);
    this.transport.sendNotes({ type: 'notes.open', channelId: this.channelId });
  }

  #flush(): void {
    clearTimeout(this.#flushTimer);
    this.#flushTimer = undefined;
    // Offline or not yet open: the next open's step 2 carries these edits.
    if (!this.#status.online || this.#pending.length === 0) return;
    const update = Y.mergeUpdates(this.#pending);
    this.#pending = [];
    const encoder = encoding.createEncoder();
    syncProtocol.writeUpdate(encoder, update);
    this.#send('notes.sync', encoding.toUint8Array(encoder));
  }

  #sendAwareness(): void {
    clearTimeout(this.#awarenessTimer);
    this.#awarenessTimer = undefined;
    const ids = [...this.#awarenessChanged];
    this.#awarenessChanged.clear();
    if (ids.length === 0 || !this.#status.online) return;
    this.#send('notes.awareness', awarenessProtocol.encodeAwarenessUpdate(this.awareness, ids));
  }

  #onFrame(frame: NotesDown): void {
    switch (frame.type) {
      case 'notes.opened': {
        // What we hold that the server lacks goes in our answer to its step 1.
        this.#pending = [];
        this.#set({ online: true, canWrite: frame.canWrite, error: undefined });
        const encoder = encoding.createEncoder();
        syncProtocol.writeSyncStep1(encoder, this.doc);
        this.#send('notes.sync', encoding.toUint8Array(encoder));
        this.#awarenessChanged.add(this.doc.clientID);
        this.#sendAwareness();
        return;
      }
      case 'notes.sync': {
        const decoder = decoding.createDecoder(fromBase64(frame.data));
        const encoder = encoding.createEncoder();
        syncProtocol.readSyncMessage(decoder, encoder, this.doc, SERVER);
        // A reader's answer carries nothing the server would keep: it is not sent.
        if (encoding.length(encoder) > 0 && this.#status.canWrite !== false)
          this.#send('notes.sync', encoding.toUint8Array(encoder));
        return;
      }
      case 'notes.awareness': {
        awarenessProtocol.applyAwarenessUpdate(this.awareness, fromBase64(frame.data), SERVER);
        this.#trustNames();
        return;
      }
      case 'notes.versions':
        this.versions.emit(frame.versions);
        return;
      case 'notes.refused':
        if (frame.error.kind === 'rate_limited') {
          // The refused edit is still here: reopening resyncs it once allowed.
          this.#retryTimer = setTimeout(() => this.#open(), frame.error.retryAfterMs ?? 1000);
        } else if (frame.error.kind === 'forbidden') this.#set({ canWrite: false });
        else this.#set({ error: frame.error });
        return;
      case 'notes.closed':
        // Access lost: forget the device's copy too, as a revoke purges messages.
        this.#set({ online: false, canWrite: false, error: frame.error });
        void this.#persistence.clearData();
        return;
    }
  }

  /** Remote cursors are labelled with the member's name from our replica. */
  #trustNames(): void {
    for (const [clientId, state] of this.awareness.getStates()) {
      if (clientId === this.doc.clientID) continue;
      const user = state.user as { id?: unknown } | undefined;
      if (typeof user?.id !== 'string') continue;
      state.user = { ...user, name: this.nameOf(user.id), color: colorOf(user.id) };
    }
  }
}
