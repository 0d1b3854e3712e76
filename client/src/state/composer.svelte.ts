import { Limits, newId } from '@echora/shared';
import type { EnginePort, ReplicaPort } from '../lib/engine-port.ts';
import { kvGet, kvSet } from '../lib/kv.ts';
import { Reply } from './reply.svelte.ts';
import { handleError, toasts } from './toasts.svelte.ts';

/** Send `typing.start` at most this often while the user types. */
const TYPING_EVERY_MS = 3000;
const DRAFT_SAVE_MS = 300;

const draftKey = (channelId: string) => `draft:${channelId}`;

/** The message being written in the open channel; drafts are kept per channel in the replica. */
export class Composer {
  text = $state('');
  /** The message the next one answers ("Replying to ..."). */
  readonly reply = new Reply();
  #channelId: string | undefined;
  #lastTyping = 0;
  #saveTimer: ReturnType<typeof setTimeout> | undefined;

  constructor(
    private readonly replica: ReplicaPort,
    private readonly engine: EnginePort,
  ) {}

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
    this.text = '';
    this.reply.cancel();
    await saving;
    if (!channelId) return;
    const draft = await kvGet<string>(this.replica, draftKey(channelId));
    // The user may have switched again (or typed) while the draft loaded.
    if (this.#channelId === channelId && this.text === '') this.text = draft ?? '';
  }

  /** Opens `channelId` with `text` after its draft (text shared from another app). */
  async insert(channelId: string, text: string): Promise<void> {
    await this.open(channelId);
    if (this.#channelId !== channelId || !text) return;
    this.text = this.text.trim() ? `${this.text}\n${text}` : text;
    this.input();
  }

  /** Call on every keystroke: saves the draft soon and tells others we type. */
  input(): void {
    clearTimeout(this.#saveTimer);
    this.#saveTimer = setTimeout(() => void this.#flush(), DRAFT_SAVE_MS);
    const channelId = this.#channelId;
    const now = Date.now();
    if (channelId && this.text.trim() && now - this.#lastTyping > TYPING_EVERY_MS) {
      this.#lastTyping = now;
      // Ephemeral and best effort: a lost typing signal needs no toast.
      this.engine.mutate('typing.start', { channelId }).catch(() => undefined);
    }
  }

  /** Sends the text as a message; it shows at once as pending, online or not. */
  send(): void {
    const channelId = this.#channelId;
    const content = this.text.trim();
    if (!channelId || !content) return;
    if (content.length > Limits.messageLength) {
      toasts.show(
        `A message can be at most ${Limits.messageLength} characters (this one has ${content.length}).`,
        'error',
      );
      return;
    }
    this.text = '';
    this.#lastTyping = 0;
    clearTimeout(this.#saveTimer);
    kvSet(this.replica, draftKey(channelId), undefined).catch((e: unknown) => handleError(e));
    const id = newId();
    const replyToId = this.reply.take(channelId);
    const args = { id, channelId, content, ...(replyToId ? { replyToId } : {}) };
    this.engine.mutate('message.send', args).then(
      async (outcome) => {
        if (outcome.ok || (await this.#shownAsFailed(id))) return;
        handleError(outcome.error, 'Not sent');
        if (this.#channelId === channelId && this.text === '') this.text = content;
      },
      (e: unknown) => handleError(e),
    );
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
    const text = this.text;
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
