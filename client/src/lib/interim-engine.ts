import type { MutationArgs, MutationName, PresenceStatus } from '@echora/shared';
import type {
  ConnectionState,
  EnginePort,
  LocalMessage,
  MutationOutcome,
  ReplicaPort,
} from './engine-port.ts';

// TEMPORARY: stands in for client/src/sync until the real engine lands; never connects.

let localCounter = 0;

/** An engine that applies mutations locally and keeps them pending forever. */
export class InterimEngine implements EnginePort {
  state: ConnectionState = 'offline';
  userId: string | undefined;
  constructor(
    private readonly replica: ReplicaPort,
    userId: string,
  ) {
    this.userId = userId;
  }
  start(): void {}
  stop(): void {}
  onState(): () => void {
    return () => {};
  }
  pendingCount(): number {
    return 0;
  }
  onPending(): () => void {
    return () => {};
  }
  async mutate<N extends MutationName>(name: N, args: MutationArgs<N>): Promise<MutationOutcome> {
    if (name === 'message.send') {
      const a = args as MutationArgs<'message.send'>;
      const row: LocalMessage = {
        ...a,
        authorId: this.userId ?? '',
        seq: 0,
        createdAt: new Date().toISOString(),
        editedAt: null,
        status: 'pending',
        sortKey: 1e15 + ++localCounter,
      };
      await this.replica.messages.put(row);
    }
    return { ok: true };
  }
  async retry(): Promise<void> {}
  async discard(messageId: string): Promise<void> {
    await this.replica.messages.delete(messageId);
  }
  loadOlder(): Promise<{ hasMore: boolean }> {
    return Promise.resolve({ hasMore: false });
  }
  presence(): Map<string, PresenceStatus> {
    return new Map();
  }
  onPresence(): () => void {
    return () => {};
  }
  onTyping(): () => void {
    return () => {};
  }
  onRevoke(): () => void {
    return () => {};
  }
  onError(): () => void {
    return () => {};
  }
  setIdle(): void {}
}
