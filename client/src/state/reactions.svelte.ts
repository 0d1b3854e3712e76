import type { EnginePort, LocalMessage } from '../lib/engine-port.ts';
import { handleError } from './toasts.svelte.ts';

/** Reacting to messages: optimistic, queued offline, exactly once (the engine's outbox). */
export class Reactions {
  /** The message whose emoji picker is open, if any. */
  pickingFor: LocalMessage | null = $state(null);

  constructor(
    private readonly engine: EnginePort,
    private readonly selfId: () => string,
  ) {}

  /** True when I reacted to `message` with `emoji`. */
  mine(message: LocalMessage, emoji: string): boolean {
    return message.reactions.some((r) => r.emoji === emoji && r.userIds.includes(this.selfId()));
  }

  /** Sets my reaction (`on`), or flips it when `on` is not given. */
  toggle(message: LocalMessage, emoji: string, on = !this.mine(message, emoji)): void {
    this.engine.mutate('reaction.toggle', { messageId: message.id, emoji, on }).then(
      (r) => {
        if (!r.ok) handleError(r.error, 'Reaction refused');
      },
      (e: unknown) => handleError(e),
    );
  }

  pick(message: LocalMessage): void {
    this.pickingFor = message;
  }

  closePicker(): void {
    this.pickingFor = null;
  }
}
