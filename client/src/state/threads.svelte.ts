import { newId, type Channel } from '@echora/shared';
import type { EnginePort, LocalMessage, MutationOutcome } from '../lib/engine-port.ts';
import { handleError } from './toasts.svelte.ts';

/** What the right-hand side panel shows instead of the member list. */
export type SidePanel =
  | { kind: 'thread'; id: string }
  | { kind: 'threads'; channelId: string }
  | { kind: 'pins'; channelId: string }
  | { kind: 'notes'; channelId: string };

/** Threads (start, open, list) and pins, and the side panel that shows them. */
export class Threads {
  panel: SidePanel | null = $state(null);

  constructor(
    private readonly engine: EnginePort,
    private readonly channels: () => readonly Channel[],
  ) {}

  /** Threads started in a channel, newest first. */
  of(channelId: string): Channel[] {
    return this.channels()
      .filter((c) => c.kind === 'thread' && c.parentId === channelId)
      .sort((a, b) => b.createdAt.localeCompare(a.createdAt));
  }

  byId(id: string): Channel | undefined {
    return this.channels().find((c) => c.id === id);
  }

  /** The open thread, while it exists. */
  get open(): Channel | undefined {
    const panel = this.panel;
    return panel?.kind === 'thread' ? this.byId(panel.id) : undefined;
  }

  /** Opens the message's thread, starting one (named after the message) if it has none. */
  openFor(message: LocalMessage): void {
    if (message.thread) {
      this.show({ kind: 'thread', id: message.thread.id });
      return;
    }
    const id = newId();
    const firstLine = message.content.split('\n')[0]?.trim() ?? '';
    const name = (firstLine || 'Thread').slice(0, 100);
    this.#run(
      this.engine.mutate('thread.create', {
        id,
        channelId: message.channelId,
        messageId: message.id,
        name,
      }),
      'Thread not started',
    );
    this.show({ kind: 'thread', id });
  }

  show(panel: SidePanel): void {
    this.panel = panel;
  }

  close(): void {
    this.panel = null;
  }

  /** Pins or unpins (manage messages; the server decides). */
  pin(message: Pick<LocalMessage, 'id'>, pinned: boolean): void {
    this.#run(this.engine.mutate('message.pin', { id: message.id, pinned }), 'Pin refused');
  }

  #run(outcome: Promise<MutationOutcome>, context: string): void {
    outcome.then(
      (r) => {
        if (!r.ok) handleError(r.error, context);
      },
      (e: unknown) => handleError(e),
    );
  }
}
