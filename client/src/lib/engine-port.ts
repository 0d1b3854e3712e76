import type { Table } from 'dexie';
import type {
  Channel,
  Emoji,
  Member,
  Message,
  MutationArgs,
  MutationName,
  PresenceStatus,
  ReadState,
  Role,
  WireError,
} from '@echora/shared';
import type { VoiceParticipant } from '@echora/shared/voice/index';

/**
 * What the UI needs from the sync engine and its replica (the contract in
 * `client/src/sync`). Screens code against these shapes, so the engine can be
 * swapped without touching them.
 */
export type MessageStatus = 'sent' | 'pending' | 'failed';

/** A message row in the replica: the server's message plus its local state. */
export type LocalMessage = Message & { status: MessageStatus; error?: WireError; sortKey: number };

export type ConnectionState = 'offline' | 'connecting' | 'online';

export type MutationOutcome = { ok: true } | { ok: false; error: WireError };

export interface TypingEntry {
  channelId: string;
  userId: string;
  expiresAt: number;
}

/** The replica tables the UI reads with `liveQuery`. */
export interface ReplicaPort {
  channels: Table<Channel, string>;
  members: Table<Member, string>;
  messages: Table<LocalMessage, string>;
  emojis: Table<Emoji, string>;
  readStates: Table<ReadState, string>;
  roles: Table<Role, string>;
  /** Row shape is the engine's; go through `lib/kv.ts`. */
  kv: Table;
  /** Every table, for wiping the replica when another user signs in. */
  tables: Table[];
  close(): void;
  delete(): Promise<void>;
}

type Unsubscribe = () => void;

export interface EnginePort {
  readonly state: ConnectionState;
  readonly userId: string | undefined;
  start(): void;
  stop(): void;
  onState(cb: (state: ConnectionState) => void): Unsubscribe;
  pendingCount(): number;
  onPending(cb: (count: number) => void): Unsubscribe;
  mutate<N extends MutationName>(name: N, args: MutationArgs<N>): Promise<MutationOutcome>;
  retry(messageId: string): Promise<void>;
  discard(messageId: string): Promise<void>;
  loadOlder(channelId: string): Promise<{ hasMore: boolean }>;
  presence(): Map<string, PresenceStatus>;
  onPresence(cb: (presence: Map<string, PresenceStatus>) => void): Unsubscribe;
  /** Who sits in each non-empty voice channel I may see, from the sync socket. */
  voiceRoster(): Map<string, VoiceParticipant[]>;
  onVoice(cb: (channels: Map<string, VoiceParticipant[]>) => void): Unsubscribe;
  onTyping(cb: (typing: ReadonlySet<TypingEntry>) => void): Unsubscribe;
  onRevoke(cb: (scope: string) => void): Unsubscribe;
  onError(cb: (error: WireError) => void): Unsubscribe;
  setIdle(idle: boolean): void;
}
