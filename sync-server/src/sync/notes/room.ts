import * as Y from 'yjs';
import { Awareness, encodeAwarenessUpdate } from 'y-protocols/awareness';
import type { NotesAwarenessDown, NotesSyncDown } from '@echora/shared';
import { toBase64, updateMessage } from './codec.ts';

/** Origin of updates and awareness that came from another node (not published again). */
export const REMOTE = Symbol('remote');

/** One socket's presence in one open document. */
export interface NoteMember {
  readonly userId: string;
  sendRaw(frame: string): void;
  /** Awareness client ids this socket announced (removed when it leaves). */
  readonly awarenessIds: Set<number>;
}

/**
 * A notes document open on this node: the Y.Doc every socket syncs against,
 * the awareness of everyone editing it, and the sockets that have it open.
 * Local changes go to every other socket here; `onLocal` publishes them.
 */
export class NoteRoom {
  readonly doc = new Y.Doc();
  readonly awareness = new Awareness(this.doc);
  readonly members = new Set<NoteMember>();
  /** Bus events that arrived while the document was loading, applied after. */
  early: { kind: 'update' | 'awareness'; data: Uint8Array }[] | undefined = [];
  /** Bytes stored (compacted state plus updates since), an upper bound of the document's size. */
  bytes = 0;
  /** Who each awareness client id belongs to (stamped by the node that took it), from any node. */
  readonly cursorOwners = new Map<number, string>();
  /** Updates this node appended since its last compaction. */
  pending = 0;
  idleTimer: NodeJS.Timeout | undefined;
  compacting: Promise<unknown> = Promise.resolve();

  constructor(
    readonly channelId: string,
    onAwareness: (data: Uint8Array) => void,
  ) {
    // The server has no cursor of its own.
    this.awareness.setLocalState(null);
    this.doc.on('update', (update: Uint8Array, origin: unknown) => {
      const frame: NotesSyncDown = {
        type: 'notes.sync',
        channelId,
        data: toBase64(updateMessage(update)),
      };
      this.broadcast(JSON.stringify(frame), origin);
    });
    this.awareness.on(
      'update',
      (
        { added, updated, removed }: { added: number[]; updated: number[]; removed: number[] },
        origin: unknown,
      ) => {
        for (const id of [...added, ...updated]) {
          const user = this.awareness.getStates().get(id)?.user as { id?: unknown } | undefined;
          if (typeof user?.id === 'string' && !this.cursorOwners.has(id)) {
            this.cursorOwners.set(id, user.id);
          }
        }
        const data = encodeAwarenessUpdate(this.awareness, [...added, ...updated, ...removed]);
        const frame: NotesAwarenessDown = {
          type: 'notes.awareness',
          channelId,
          data: toBase64(data),
        };
        this.broadcast(JSON.stringify(frame), origin);
        if (origin !== REMOTE) onAwareness(data);
      },
    );
  }

  get loaded(): boolean {
    return this.early === undefined;
  }

  private broadcast(text: string, origin: unknown): void {
    for (const m of this.members) if (m !== origin) m.sendRaw(text);
  }

  destroy(): void {
    clearTimeout(this.idleTimer);
    this.awareness.destroy();
    this.doc.destroy();
  }
}
