import { newId, type MutationArgs } from '@echora/shared';
import { MAX_ATTACHMENTS } from '@echora/shared/protocol/rest/files';
import { ApiError, isNetworkError } from '../api/http.ts';
import type { MutationOutcome, ReplicaPort } from '../lib/engine-port.ts';
import { UploadQueueDb, type QueuedFile, type QueuedMessage } from '../uploads/queue-db.ts';
import { uploadFile } from '../uploads/upload.ts';
import { handleError, toasts } from './toasts.svelte.ts';

/** A file picked, dropped or pasted into the composer, not sent yet. */
export interface StagedFile {
  key: string;
  file: File;
  /** An object URL for image previews. */
  previewUrl: string | null;
}

export interface UploadDeps {
  userId: string;
  replica: ReplicaPort;
  getToken: () => Promise<string | null>;
  send: (args: MutationArgs<'message.send'>) => Promise<MutationOutcome>;
  /** Called back whenever the sync connection comes online. */
  onOnline: (cb: () => void) => () => void;
}

const RETRY_MS = 5000;

/**
 * Messages with files. Sending writes the message and its files (as Blobs)
 * to IndexedDB first; the queue then uploads each file (once: its server id
 * is saved), and only when all are stored sends the `message.send` naming
 * them, with the id fixed at queue time. So the outbox never holds a message
 * whose files are missing, a reload or a lost network resumes where it
 * stopped, and the server sees one message however often this is retried.
 */
export class Uploads {
  #staged: StagedFile[] = $state([]);
  #queued: QueuedMessage[] = $state([]);
  #progress: Record<string, number> = $state({});
  // Not state: the UI never reads it.
  // eslint-disable-next-line svelte/prefer-svelte-reactivity
  #controllers = new Map<string, AbortController>();
  #draining: Promise<void> | undefined;
  #again = false;
  #timer: ReturnType<typeof setTimeout> | undefined;
  #stopOnline: () => void;
  #disposed = false;

  constructor(
    private readonly deps: UploadDeps,
    private readonly db = new UploadQueueDb(),
  ) {
    this.#stopOnline = deps.onOnline(() => void this.drain());
    this.#load().then(
      () => this.drain(),
      (e: unknown) => this.#failed(e),
    );
  }

  /** Files in the composer, not sent yet. */
  get staged(): readonly StagedFile[] {
    return this.#staged;
  }

  /** Messages with files on their way (uploading, waiting for the network, or refused). */
  get queued(): readonly QueuedMessage[] {
    return this.#queued;
  }

  /** Upload progress per queued file key, 0..1. */
  get progress(): Readonly<Record<string, number>> {
    return this.#progress;
  }

  /** Adds files to the composer (paperclip, drop or paste). */
  add(files: Iterable<File>): void {
    for (const file of files) {
      if (this.#staged.length >= MAX_ATTACHMENTS) {
        toasts.show(`A message holds at most ${MAX_ATTACHMENTS} files.`, 'error');
        break;
      }
      const previewUrl = file.type.startsWith('image/') ? URL.createObjectURL(file) : null;
      this.#staged.push({ key: newId(), file, previewUrl });
    }
  }

  unstage(key: string): void {
    const found = this.#staged.find((s) => s.key === key);
    if (found?.previewUrl) URL.revokeObjectURL(found.previewUrl);
    this.#staged = this.#staged.filter((s) => s.key !== key);
  }

  /** Queues the staged files with `content` as one message, and starts uploading. */
  async send(channelId: string, content: string, replyToId?: string): Promise<void> {
    const staged = this.#staged;
    if (staged.length === 0) return;
    this.#staged = [];
    const files: QueuedFile[] = staged.map((s) => ({
      key: s.key,
      name: s.file.name || 'pasted-image.png',
      type: s.file.type,
      size: s.file.size,
      blob: s.file,
    }));
    for (const s of staged) if (s.previewUrl) URL.revokeObjectURL(s.previewUrl);
    const entry: QueuedMessage = {
      messageId: newId(),
      userId: this.deps.userId,
      channelId,
      content,
      files,
      createdAt: Date.now(),
      ...(replyToId ? { replyToId } : {}),
    };
    await this.db.messages.put(entry);
    await this.#load();
    void this.drain();
  }

  /** Stops a message's uploads and forgets it (files already uploaded are swept by the server). */
  async cancel(messageId: string): Promise<void> {
    this.#controllers.get(messageId)?.abort();
    await this.db.messages.delete(messageId);
    await this.#load();
  }

  /** Tries a refused message again. */
  async retry(messageId: string): Promise<void> {
    await this.db.messages.update(messageId, { error: undefined });
    await this.#load();
    void this.drain();
  }

  /** Uploads and sends what is queued, oldest first; one pass at a time. */
  drain(): Promise<void> {
    clearTimeout(this.#timer);
    // A message queued during a pass is picked up by one more pass.
    this.#again = this.#draining !== undefined;
    this.#draining ??= this.#drainAll().finally(() => (this.#draining = undefined));
    return this.#draining;
  }

  async #drainAll(): Promise<void> {
    try {
      do {
        this.#again = false;
        await this.#drain();
      } while (this.#again);
    } catch (e) {
      this.#failed(e);
    }
  }

  /** Work cut short by `dispose()` (its database closed) is no error to show. */
  #failed(error: unknown): void {
    if (!this.#disposed) handleError(error);
  }

  dispose(): void {
    if (this.#disposed) return;
    this.#disposed = true;
    clearTimeout(this.#timer);
    this.#stopOnline();
    for (const c of this.#controllers.values()) c.abort();
    for (const s of this.#staged) if (s.previewUrl) URL.revokeObjectURL(s.previewUrl);
    this.db.close();
  }

  async #load(): Promise<void> {
    const rows = await this.db.messages
      .where('userId')
      .equals(this.deps.userId)
      .sortBy('createdAt');
    this.#queued = rows;
  }

  async #drain(): Promise<void> {
    const rows = await this.db.messages
      .where('userId')
      .equals(this.deps.userId)
      .sortBy('createdAt');
    for (const row of rows) {
      if (row.error) continue;
      try {
        await this.#deliver(row);
      } catch (error) {
        if ((error as Error).name === 'AbortError') continue;
        if (isNetworkError(error)) {
          // Offline or the server is away: try again when the connection returns, or soon.
          clearTimeout(this.#timer);
          this.#timer = setTimeout(() => void this.drain(), RETRY_MS);
          break;
        }
        const message = error instanceof ApiError ? error.message : 'The upload failed.';
        await this.db.messages.update(row.messageId, { error: message });
        handleError(error, 'File not sent');
      } finally {
        await this.#load();
      }
    }
  }

  async #deliver(row: QueuedMessage): Promise<void> {
    const controller = new AbortController();
    this.#controllers.set(row.messageId, controller);
    try {
      for (const file of row.files) {
        if (file.uploaded) continue;
        const token = await this.deps.getToken();
        if (!token) throw new TypeError('Not signed in yet');
        file.uploaded = await uploadFile(
          file.blob,
          file.name,
          token,
          (loaded, total) => (this.#progress[file.key] = total ? loaded / total : 0),
          controller.signal,
        );
        // Saved at once: a reload resumes with the next file, not this one again.
        await this.db.messages.update(row.messageId, { files: row.files });
        await this.#load();
      }
    } finally {
      this.#controllers.delete(row.messageId);
    }
    if (!(await this.db.messages.get(row.messageId))) return; // cancelled meanwhile
    await this.#sendOnce(row);
  }

  /**
   * Hands the message to the outbox, then forgets the queued copy. The
   * outbox row appears in the replica as soon as it is written; if this page
   * died in between, the next pass finds that row and does not send again.
   */
  async #sendOnce(row: QueuedMessage): Promise<void> {
    const { replica } = this.deps;
    if (!(await replica.messages.get(row.messageId))) {
      const args: MutationArgs<'message.send'> = {
        id: row.messageId,
        channelId: row.channelId,
        content: row.content,
        attachmentIds: row.files.flatMap((f) => (f.uploaded ? [f.uploaded.id] : [])),
        ...(row.replyToId ? { replyToId: row.replyToId } : {}),
      };
      const outcome = this.deps.send(args);
      const refused = outcome.then((o) => (o.ok ? undefined : o.error));
      // Wait until the outbox holds it (or it was refused before being queued).
      for (let i = 0; i < 200 && !(await replica.messages.get(row.messageId)); i++) {
        const early = await Promise.race([refused, sleep(25).then(() => null)]);
        if (early) throw new ApiError(early.kind, early.message, 400);
      }
    }
    await this.db.messages.delete(row.messageId);
    for (const f of row.files) delete this.#progress[f.key];
  }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
