import type { Table } from 'dexie';
import type {
  Block,
  Channel,
  CommunityInfo,
  Emoji,
  FormerMember,
  Member,
  PollVote,
  Message,
  MutationArgs,
  MutationName,
  NotesDown,
  NotesUp,
  PresenceStatus,
  ReadState,
  Removal,
  Role,
  UserSettings,
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
  /** `Date.now()` after which the entry is gone unless renewed. */
  expiresAt: number;
}

/** The replica tables the UI reads with `liveQuery`. */
export interface ReplicaPort {
  /** The IndexedDB database's name (the search worker opens it too). */
  readonly name: string;
  channels: Table<Channel, string>;
  members: Table<Member, string>;
  /** Names of people no longer members whose messages remain. */
  formerMembers: Table<FormerMember, string>;
  messages: Table<LocalMessage, string>;
  emojis: Table<Emoji, string>;
  readStates: Table<ReadState, string>;
  userSettings: Table<UserSettings, string>;
  /** The community's own row (its name), under `COMMUNITY_INFO_ID`. */
  community: Table<CommunityInfo, string>;
  roles: Table<Role, string>;
  /** People the user blocked (their own scope). */
  blocks: Table<Block, string>;
  /** The user's own choices in polls (their own scope), by poll id. */
  pollVotes: Table<PollVote, string>;
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
  /** Sends a failed message again with its original arguments; resolves with the answer. */
  retry(messageId: string): Promise<MutationOutcome | undefined>;
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
  /** The user was kicked or banned: the engine stopped; call `forget`. */
  onRemoved(cb: (removal: Removal) => void): Unsubscribe;
  /** Stops and forgets the whole replica; answers how many unsent messages were discarded. */
  forget(): Promise<number>;
  /** Sends a notes frame now; false when offline (the notes resync on reconnect). */
  sendNotes(frame: NotesUp): boolean;
  /** Notes frames from the server (every document; filter by `channelId`). */
  onNotes(cb: (frame: NotesDown) => void): Unsubscribe;
  setIdle(idle: boolean): void;
}
