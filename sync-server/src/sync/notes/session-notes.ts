import {
  AppError,
  canSend,
  type DownMessage,
  type NotesAwarenessUp,
  type NotesCloseUp,
  type NotesOpenUp,
  type NotesRestoreUp,
  type NotesVersionsUp,
  type NotesSyncUp,
  type WireError,
} from '@echora/shared';
import { encodeAwarenessUpdate } from 'y-protocols/awareness';
import {
  listNoteSnapshots,
  noteSnapshot,
  replaceTextUpdate,
  textOf,
} from '../../domain/notes/store.ts';
import type { Access } from '../../domain/permissions/access.ts';
import { actionCost, RATE_LIMITED_MESSAGE } from '../action-cost.ts';
import type { SyncDeps } from '../deps.ts';
import { TokenBucket } from '../../limits/token-bucket.ts';
import {
  fromBase64,
  inspectUpdate,
  readSync,
  step1Message,
  step2Message,
  toBase64,
} from './codec.ts';
import type { NoteMember, NoteRoom } from './room.ts';

/** Documents one socket may hold open at once. */
const MAX_OPEN = 8;

type NotesFrame =
  NotesOpenUp | NotesCloseUp | NotesSyncUp | NotesAwarenessUp | NotesVersionsUp | NotesRestoreUp;

/** Characters of a version's text shown in the list. */
const PREVIEW_CHARS = 120;

interface Owner {
  readonly userId: string;
  send(frame: DownMessage): void;
  sendRaw(text: string): void;
}

interface Open {
  room: NoteRoom;
  member: NoteMember;
  canWrite: boolean;
}

/** Whether `userId` may open (see) and edit (send in) a text channel's notes. */
function notesAccess(access: Access, userId: string, channelId: string) {
  const isText = access.data.channels.get(channelId)?.kind === 'text';
  const perms = isText ? access.channel(userId, channelId) : 0;
  return { canRead: access.canSeeChannel(userId, channelId) && isText, canWrite: canSend(perms) };
}

const notFound = (): WireError => new AppError('not_found', 'No such channel.').toWire();

/**
 * The notes documents one socket has open: permission checks on every frame,
 * the y-protocols handshake, and leaving when access is lost.
 */
export class SessionNotes {
  private readonly open = new Map<string, Open>();
  /**
   * Cursor moves are ephemeral: a bucket of their own, not the durable one:
   * 20 a second, 40 at once (the web client sends at most 10 a second).
   */
  private readonly awarenessBucket = new TokenBucket(40, 2000);
  private stopped = false;

  constructor(
    private readonly owner: Owner,
    private readonly deps: SyncDeps,
  ) {}

  async handle(frame: NotesFrame): Promise<void> {
    switch (frame.type) {
      case 'notes.open':
        return this.onOpen(frame.channelId);
      case 'notes.close':
        return this.close(frame.channelId);
      case 'notes.sync':
        return this.onSync(frame);
      case 'notes.awareness':
        return this.onAwareness(frame);
      case 'notes.versions':
        return this.onVersions(frame.channelId);
      case 'notes.restore':
        return this.onRestore(frame);
    }
  }

  get hasOpen(): boolean {
    return this.open.size > 0;
  }

  /** Closes documents of channels the user no longer sees; says so when write access changed. */
  async refreshAccess(): Promise<void> {
    if (this.open.size === 0) return;
    const access = await this.deps.access.get();
    for (const [channelId, o] of this.open) {
      const now = notesAccess(access, this.owner.userId, channelId);
      if (!now.canRead) {
        this.close(channelId);
        this.owner.send({ type: 'notes.closed', channelId, error: notFound() });
      } else if (now.canWrite !== o.canWrite) {
        o.canWrite = now.canWrite;
        this.opened(channelId, o.canWrite);
      }
    }
  }

  /** Leaves every document (the socket closed). */
  stop(): void {
    this.stopped = true;
    for (const channelId of [...this.open.keys()]) this.close(channelId);
  }

  private refuse(channelId: string, error: WireError): void {
    this.owner.send({ type: 'notes.refused', channelId, error });
  }

  private opened(channelId: string, canWrite: boolean): void {
    const maxBytes = this.deps.notes.options.maxBytes;
    this.owner.send({ type: 'notes.opened', channelId, canWrite, maxBytes });
  }

  private async onOpen(channelId: string): Promise<void> {
    const access = await this.deps.access.get();
    const { canRead, canWrite } = notesAccess(access, this.owner.userId, channelId);
    if (!canRead) return this.refuse(channelId, notFound());
    // Opening again is how a client resyncs: the handshake is repeated.
    let o = this.open.get(channelId);
    if (!o) {
      if (this.open.size >= MAX_OPEN) {
        return this.refuse(channelId, {
          kind: 'too_large',
          message: `At most ${MAX_OPEN} notes open at once.`,
        });
      }
      const member: NoteMember = {
        userId: this.owner.userId,
        sendRaw: (text) => this.owner.sendRaw(text),
        awarenessIds: new Set(),
      };
      const room = await this.deps.notes.join(channelId, member);
      if (this.stopped) return this.deps.notes.leave(room, member);
      o = { room, member, canWrite };
      this.open.set(channelId, o);
    }
    o.canWrite = canWrite;
    this.opened(channelId, canWrite);
    this.owner.send({
      type: 'notes.sync',
      channelId,
      data: toBase64(step1Message(o.room.doc)),
    });
    const states = [...o.room.awareness.getStates().keys()];
    if (states.length > 0) {
      this.owner.send({
        type: 'notes.awareness',
        channelId,
        data: toBase64(encodeAwarenessUpdate(o.room.awareness, states)),
      });
    }
  }

  private close(channelId: string): void {
    const o = this.open.get(channelId);
    if (!o) return;
    this.open.delete(channelId);
    this.deps.notes.leave(o.room, o.member);
  }

  private async onSync(frame: NotesSyncUp): Promise<void> {
    const { channelId } = frame;
    const o = this.open.get(channelId);
    if (!o) return this.refuse(channelId, { kind: 'not_found', message: 'Open the notes first.' });
    const message = readSync(fromBase64(frame.data));
    if (!message)
      return this.refuse(channelId, { kind: 'invalid', message: 'data: not a sync message' });
    if (message.kind === 'step1') {
      const data = toBase64(step2Message(o.room.doc, message.stateVector));
      return this.owner.send({ type: 'notes.sync', channelId, data });
    }
    const what = inspectUpdate(message.update);
    if (what === 'invalid')
      return this.refuse(channelId, { kind: 'invalid', message: 'data: not a Yjs update' });
    // A reader's answer to step 1 carries nothing: fine. Anything else is an edit.
    if (what === 'empty') return;
    const access = await this.deps.access.get();
    const now = notesAccess(access, this.owner.userId, channelId);
    if (!now.canRead) {
      this.close(channelId);
      return this.owner.send({ type: 'notes.closed', channelId, error: notFound() });
    }
    if (!now.canWrite) {
      return this.refuse(
        channelId,
        new AppError('forbidden', 'You may read these notes but not edit them.').toWire(),
      );
    }
    const wait = this.deps.dispatch.mutationLimiter.take(
      this.owner.userId,
      actionCost('notes.update'),
    );
    if (wait > 0) {
      return this.refuse(
        channelId,
        new AppError('rate_limited', RATE_LIMITED_MESSAGE, wait).toWire(),
      );
    }
    const error = await this.deps.notes.write(o.room, message.update, o.member);
    if (error) this.refuse(channelId, error);
  }

  private async onVersions(channelId: string): Promise<void> {
    if (!this.open.has(channelId)) {
      return this.refuse(channelId, { kind: 'not_found', message: 'Open the notes first.' });
    }
    const snapshots = await listNoteSnapshots(this.deps.db, channelId);
    const versions = snapshots.map((v) => ({
      id: v.id,
      createdAt: v.createdAt,
      preview: textOf(v.state).slice(0, PREVIEW_CHARS),
    }));
    this.owner.send({ type: 'notes.versions', channelId, versions });
  }

  /** Restoring is an edit: the same checks, the same rate limit, the same writing path. */
  private async onRestore(frame: NotesRestoreUp): Promise<void> {
    const { channelId } = frame;
    const o = this.open.get(channelId);
    if (!o) return this.refuse(channelId, { kind: 'not_found', message: 'Open the notes first.' });
    const access = await this.deps.access.get();
    if (!notesAccess(access, this.owner.userId, channelId).canWrite) {
      return this.refuse(
        channelId,
        new AppError('forbidden', 'You may read these notes but not edit them.').toWire(),
      );
    }
    const state = await noteSnapshot(this.deps.db, channelId, frame.versionId);
    if (!state) return this.refuse(channelId, { kind: 'not_found', message: 'No such version.' });
    const limiter = this.deps.dispatch.mutationLimiter;
    const wait = limiter.take(this.owner.userId, actionCost('notes.update'));
    if (wait > 0) {
      return this.refuse(
        channelId,
        new AppError('rate_limited', RATE_LIMITED_MESSAGE, wait).toWire(),
      );
    }
    const update = replaceTextUpdate(o.room.doc, textOf(state));
    // The restoring socket gets the edit too: it did not make it locally.
    const error = await this.deps.notes.write(o.room, update, undefined);
    if (error) this.refuse(channelId, error);
  }

  private onAwareness(frame: NotesAwarenessUp): void {
    const { channelId } = frame;
    const o = this.open.get(channelId);
    if (!o) return this.refuse(channelId, { kind: 'not_found', message: 'Open the notes first.' });
    const wait = this.awarenessBucket.take();
    if (wait > 0) {
      return this.refuse(
        channelId,
        new AppError('rate_limited', RATE_LIMITED_MESSAGE, wait).toWire(),
      );
    }
    const error = this.deps.notes.awareness(o.room, fromBase64(frame.data), o.member);
    if (error) this.refuse(channelId, error);
  }
}
