import { Limits, newId } from '@echora/shared';
import type { EnginePort, ReplicaPort } from '../lib/engine-port.ts';
import { kvGet, kvSet } from '../lib/kv.ts';
import { MentionPicks } from './mention-picks.ts';
import { Reply } from './reply.svelte.ts';
import { handleError, toasts } from './toasts.svelte.ts';
import type { Uploads } from './uploads.svelte.ts';

/** Send `typing.start` at most this often while the user types. */
const TYPING_EVERY_MS = 3000;
const DRAFT_SAVE_MS = 300;

const draftKey = (channelId: string) => `draft:${channelId}`;

/** Where a message with files goes: the chat's upload queue (see `Uploads`). */
export type FileQueue = Pick<Uploads, 'staged' | 'send'>;

/**
 * The message being written in the open channel; drafts are kept per channel
 * in the replica. It decides how a message is sent: picked mentions become
 * tokens, the reply target goes along, and with files staged the message goes
 * through the upload queue instead of straight to the outbox.
 */
export class Composer {
  #text = $state('');
  /** The message the next one answers ("Replying to ..."). */
  readonly reply = new Reply();
  /** Mentions picked from the suggestions, encoded when the message is sent. */
  readonly mentions = new MentionPicks();
  #channelId: string | undefined;
  #lastTyping = 0;
  #saveTimer: ReturnType<typeof setTimeout> | undefined;

  /** `files`: the upload queue, for a composer that can attach files (a thread's cannot). */
  constructor(
    private readonly replica: ReplicaPort,
    private readonly engine: EnginePort,
    private readonly files?: FileQueue,
  ) {}

  /** The text being written. */
  get text(): string {
    return this.#text;
  }

  /** Replaces the text (the text box's binding); call `input()` for each keystroke. */
  setText(text: string): void {
    this.#text = text;
  }

  /**
   * Switches to a channel at once, then saves the old draft and loads the new
   * one. The switch must not wait for the save: IndexedDB queues it behind the
   * sync engine's transactions (a conversation just opened, its answers), and
   * what the user types and sends meanwhile belongs to the channel on screen.
   */
  async open(channelId: string | undefined): Promise<void> {
    if (channelId === this.#channelId) return;
    const saving = this.#flush();
    this.#channelId = channelId;
    this.#text = '';
    this.reply.cancel();
    await saving;
    if (!channelId) return;
    const draft = await kvGet<string>(this.replica, draftKey(channelId));
    // The user may have switched again (or typed) while the draft loaded.
    if (this.#channelId === channelId && this.#text === '') this.#text = draft ?? '';
  }

  /** Opens `channelId` with `text` after its draft (text shared from another app). */
  async insert(channelId: string, text: string): Promise<void> {
    await this.open(channelId);
    if (this.#channelId !== channelId || !text) return;
    this.setText(this.#text.trim() ? `${this.#text}\n${text}` : text);
    this.input();
  }

  /** Call on every keystroke: saves the draft soon and tells others we type. */
  input(): void {
    clearTimeout(this.#saveTimer);
    this.#saveTimer = setTimeout(() => void this.#flush(), DRAFT_SAVE_MS);
    const channelId = this.#channelId;
    const now = Date.now();
    if (channelId && this.#text.trim() && now - this.#lastTyping > TYPING_EVERY_MS) {
      this.#lastTyping = now;
      // Ephemeral and best effort: a lost typing signal needs no toast.
      this.engine.mutate('typing.start', { channelId }).catch(() => undefined);
    }
  }

  /**
   * Sends what was written, at once and online or not: a text message shows as
   * pending; one with files is queued with them and sent once they are stored.
   * Does nothing when there is nothing to send.
   */
  submit(): void {
    this.#text = this.mentions.encode(this.#text);
    this.mentions.clear();
    const channelId = this.#channelId;
    if (channelId && this.files && this.files.staged.length > 0) {
      // A message of files only may have no caption.
      const content = this.#text.trim();
      this.#clear(channelId);
      const replyToId = this.reply.take(channelId);
      this.files.send(channelId, content, replyToId).catch((e: unknown) => handleError(e));
      return;
    }
    this.#sendText();
  }

  #sendText(): void {
    const channelId = this.#channelId;
    const content = this.#text.trim();
    if (!channelId || !content) return;
    if (content.length > Limits.messageLength) {
      toasts.show(
        `A message can be at most ${Limits.messageLength} characters (this one has ${content.length}).`,
        'error',
      );
      return;
    }
    this.#clear(channelId);
    const id = newId();
    const replyToId = this.reply.take(channelId);
    const args = { id, channelId, content, ...(replyToId ? { replyToId } : {}) };
    this.engine.mutate('message.send', args).then(
      async (outcome) => {
        if (outcome.ok || (await this.#shownAsFailed(id))) return;
        handleError(outcome.error, 'Not sent');
        // Given back to edit, unless the user has moved on or started another message.
        if (this.#channelId === channelId && this.#text === '') this.#text = content;
      },
      (e: unknown) => handleError(e),
    );
  }

  /** Empties the box and the channel's saved draft once its text is on its way. */
  #clear(channelId: string): void {
    this.#text = '';
    this.#lastTyping = 0;
    clearTimeout(this.#saveTimer);
    kvSet(this.replica, draftKey(channelId), undefined).catch((e: unknown) => handleError(e));
  }

  /**
   * A server refusal leaves the message in its channel as failed, with Retry
   * and Delete. One refused before it was queued has no row, and one whose
   * channel this device no longer holds (a conversation the server refused
   * to start, a channel gone meanwhile) shows nowhere: the caller says why.
   */
  async #shownAsFailed(messageId: string): Promise<boolean> {
    const row = await this.replica.messages.get(messageId);
    return row !== undefined && (await this.replica.channels.get(row.channelId)) !== undefined;
  }

  /** Saves the open channel's draft as it is now (read before the first await). */
  async #flush(): Promise<void> {
    clearTimeout(this.#saveTimer);
    const channelId = this.#channelId;
    const text = this.#text;
    if (!channelId) return;
    try {
      await kvSet(this.replica, draftKey(channelId), text || undefined);
    } catch (e) {
      handleError(e);
    }
  }

  dispose(): void {
    void this.#flush();
  }
}
