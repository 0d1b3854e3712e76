import { Dexie } from 'dexie';
import { dmId, newId, type Block, type Channel } from '@echora/shared';
import type { EnginePort, LocalMessage, MutationOutcome, ReplicaPort } from '../lib/engine-port.ts';
import { LiveQuery } from '../lib/live-query.svelte.ts';
import { handleError, toasts } from './toasts.svelte.ts';

/** A direct conversation as the sidebar lists it. */
export interface DmEntry {
  channel: Channel;
  /** The group's name, or the other people's names. */
  label: string;
  /** The latest message's time, else the conversation's: the list is newest first. */
  activeAt: string;
}

/**
 * Direct conversations (1:1 and groups) and blocks: the sidebar's "Direct
 * messages" list, newest activity first, and every change to them. Changes
 * apply at once in the replica and wait in the outbox offline; a 1:1
 * conversation's id comes from both user ids, so starting it from both sides
 * offline meets in one conversation.
 */
export class Dms {
  #latest: LiveQuery<string, ReadonlyMap<string, string>>;
  #blocks: LiveQuery<null, Block[]>;

  // Rebuilt whole with the rows, never mutated.
  // eslint-disable-next-line svelte/prefer-svelte-reactivity
  blocked: ReadonlySet<string> = $derived(new Set(this.#blocksCurrent().map((b) => b.id)));
  list: DmEntry[] = $derived.by(() =>
    this.channels()
      .map((channel) => ({
        channel,
        label: this.labelOf(channel),
        activeAt: this.#latest.current.get(channel.id) ?? channel.createdAt,
      }))
      .sort((a, b) => b.activeAt.localeCompare(a.activeAt)),
  );

  constructor(
    replica: ReplicaPort,
    private readonly engine: EnginePort,
    private readonly selfId: string,
    private readonly channels: () => readonly Channel[],
    private readonly nameOf: (userId: string) => string,
    private readonly select: (channelId: string) => void,
  ) {
    this.#latest = new LiveQuery(
      () =>
        this.channels()
          .map((c) => c.id)
          .join(','),
      async (key): Promise<Map<string, string>> => {
        // A fresh map per result, never mutated once returned.
        // eslint-disable-next-line svelte/prefer-svelte-reactivity
        const times = new Map<string, string>();
        for (const id of key ? key.split(',') : []) {
          const last = await replica.messages
            .where('[channelId+sortKey]')
            .between([id, Dexie.minKey], [id, Dexie.maxKey])
            .last();
          if (last) times.set(id, last.createdAt);
        }
        return times;
      },
      // eslint-disable-next-line svelte/prefer-svelte-reactivity
      new Map<string, string>(),
      (e) => handleError(e),
      () => true,
    );
    this.#blocks = new LiveQuery(
      () => null,
      () => replica.blocks.toArray(),
      [],
      (e) => handleError(e),
    );
  }

  #blocksCurrent(): Block[] {
    return this.#blocks.current;
  }

  /** The group's name, or the names of the others in it ("Notes to self" when alone). */
  labelOf(channel: Channel): string {
    if (channel.name) return channel.name;
    const others = (channel.dm?.participants ?? []).filter((id) => id !== this.selfId);
    return others.length > 0 ? others.map(this.nameOf).join(', ') : 'Just you';
  }

  /** Opens (starting it if needed) the 1:1 conversation with `userId`. */
  open(userId: string): void {
    if (userId === this.selfId) return;
    this.#run(this.engine.mutate('dm.open', { userId }));
    this.select(dmId(this.selfId, userId));
  }

  /** Starts a group with `userIds` and opens it. */
  createGroup(userIds: string[], name = ''): void {
    const id = newId();
    const trimmed = name.trim();
    // A plain copy: a rune's proxy cannot be stored in IndexedDB.
    const plain = [...userIds];
    this.#run(
      this.engine.mutate('dm.create', {
        id,
        userIds: plain,
        ...(trimmed ? { name: trimmed } : {}),
      }),
    );
    this.select(id);
  }

  rename(id: string, name: string): void {
    this.#run(this.engine.mutate('dm.rename', { id, name: name.trim() }));
  }

  add(id: string, userIds: string[]): void {
    this.#run(this.engine.mutate('dm.add', { id, userIds: [...userIds] }));
  }

  remove(id: string, userId: string): void {
    this.#run(this.engine.mutate('dm.remove', { id, userId }));
  }

  leave(id: string): void {
    this.#run(this.engine.mutate('dm.leave', { id }));
  }

  setBlocked(userId: string, blocked: boolean): void {
    this.#run(this.engine.mutate('user.block', { userId, blocked }));
  }

  /** The message whose report dialog is open, if any. */
  reporting: LocalMessage | null = $state(null);

  /** Opens the report dialog for someone else's message. */
  askReport(message: LocalMessage): void {
    this.reporting = message;
  }

  cancelReport(): void {
    this.reporting = null;
  }

  /**
   * Reports the message of the open dialog to the moderators (they get a
   * copy of it only), with an optional reason; a toast says once they have it.
   */
  async sendReport(reason: string): Promise<void> {
    const message = this.reporting;
    if (!message) return;
    this.reporting = null;
    const outcome = await this.report(message.id, reason);
    if (outcome.ok) toasts.show('Reported to the moderators. Thank you.');
    else handleError(outcome.error, 'Not reported');
  }

  /** Reports a message to the moderators (a copy of it only). */
  report(messageId: string, reason = ''): Promise<MutationOutcome> {
    const trimmed = reason.trim();
    return this.engine.mutate('message.report', {
      messageId,
      ...(trimmed ? { reason: trimmed } : {}),
    });
  }

  #run(outcome: Promise<MutationOutcome>): void {
    outcome.then(
      (result) => {
        if (!result.ok) handleError(result.error);
      },
      (e: unknown) => handleError(e),
    );
  }
}
