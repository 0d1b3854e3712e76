import * as decoding from 'lib0/decoding';
import * as encoding from 'lib0/encoding';
import * as Y from 'yjs';
import * as awarenessProtocol from 'y-protocols/awareness';
import * as syncProtocol from 'y-protocols/sync';
import type { DownMessage, NotesOpenedDown } from '@echora/shared';
import type { SyncClient } from './sync-client.ts';

const SERVER = Symbol('server');
const b64 = (data: Uint8Array) => Buffer.from(data).toString('base64');
const unb64 = (text: string) => new Uint8Array(Buffer.from(text, 'base64'));

/**
 * A real Y.Doc editing one channel's notes over a real sync socket, as the
 * web client does: y-protocols sync and awareness carried in notes frames.
 * Offline edits stay in the doc; `attach` to a new socket resyncs both ways.
 */
export class NotesPeer {
  readonly doc = new Y.Doc();
  readonly text = this.doc.getText('content');
  readonly awareness = new awarenessProtocol.Awareness(this.doc);
  /** Every notes frame received, in order. */
  readonly frames: DownMessage[] = [];
  /** When each of `frames` arrived (`performance.now()`). */
  readonly arrivedAt: number[] = [];
  client: SyncClient | undefined;

  constructor(readonly channelId: string) {
    this.doc.on('update', (update: Uint8Array, origin: unknown) => {
      if (origin === SERVER || !this.client) return;
      const encoder = encoding.createEncoder();
      syncProtocol.writeUpdate(encoder, update);
      this.send('notes.sync', encoding.toUint8Array(encoder));
    });
    this.awareness.on(
      'update',
      ({ added, updated, removed }: Record<string, number[]>, origin: unknown) => {
        if (origin === SERVER || !this.client) return;
        const changed = [...(added ?? []), ...(updated ?? []), ...(removed ?? [])];
        this.send(
          'notes.awareness',
          awarenessProtocol.encodeAwarenessUpdate(this.awareness, changed),
        );
      },
    );
  }

  /** Opens the document on `client` and waits for `notes.opened`. */
  async attach(client: SyncClient): Promise<NotesOpenedDown> {
    this.client = client;
    client.ws.on('message', (data: Buffer) =>
      this.onFrame(JSON.parse(data.toString()) as DownMessage),
    );
    const opened = client.next((f) => f.type === 'notes.opened' && f.channelId === this.channelId);
    client.send({ type: 'notes.open', channelId: this.channelId });
    const frame = (await opened) as NotesOpenedDown;
    // Ask for what the server has that we lack (the server's step 1 asks the reverse).
    const encoder = encoding.createEncoder();
    syncProtocol.writeSyncStep1(encoder, this.doc);
    this.send('notes.sync', encoding.toUint8Array(encoder));
    return frame;
  }

  /** Stops sending (the socket closes); edits made meanwhile stay local. */
  async detach(): Promise<void> {
    const client = this.client;
    this.client = undefined;
    await client?.close();
  }

  get value(): string {
    return this.text.toJSON();
  }

  /** When the first frame of `type` arrived, if one did. */
  firstAt(type: DownMessage['type'], from = 0): number | undefined {
    const i = this.frames.findIndex((f, n) => n >= from && f.type === type);
    return i < 0 ? undefined : this.arrivedAt[i];
  }

  refused(kind?: string) {
    return this.frames.filter(
      (f) => f.type === 'notes.refused' && (kind === undefined || f.error.kind === kind),
    );
  }

  private send(type: 'notes.sync' | 'notes.awareness', data: Uint8Array): void {
    this.client?.send({ type, channelId: this.channelId, data: b64(data) });
  }

  private onFrame(frame: DownMessage): void {
    if (!frame.type.startsWith('notes.') || !('channelId' in frame)) return;
    if (frame.channelId !== this.channelId) return;
    this.frames.push(frame);
    this.arrivedAt.push(performance.now());
    if (frame.type === 'notes.sync') {
      const decoder = decoding.createDecoder(unb64(frame.data));
      const encoder = encoding.createEncoder();
      syncProtocol.readSyncMessage(decoder, encoder, this.doc, SERVER);
      if (encoding.length(encoder) > 0) this.send('notes.sync', encoding.toUint8Array(encoder));
    } else if (frame.type === 'notes.awareness') {
      awarenessProtocol.applyAwarenessUpdate(this.awareness, unb64(frame.data), SERVER);
    }
  }
}
