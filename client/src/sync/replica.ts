import { Dexie, type Table } from 'dexie';
import {
  emptyMessageExtras,
  type Block,
  type Channel,
  type CommunityInfo,
  type Emoji,
  type EntityName,
  type FormerMember,
  type Member,
  type Message,
  type MessageSendArgs,
  type PollVote,
  type MutationName,
  type ReadState,
  type Role,
  type UserSettings,
} from '@echora/shared';
import type {
  LocalMessage as PortLocalMessage,
  MessageStatus,
  ReplicaPort,
} from '../lib/engine-port.ts';

const channelDefaults: Pick<Channel, 'parentId' | 'parentMessageId' | 'overrides'> = {
  parentId: null,
  parentMessageId: null,
  overrides: [],
};

const emptyMemberExtras = (): Omit<
  Member,
  'id' | 'username' | 'displayName' | 'isOwner' | 'joinedAt'
> => ({
  roleIds: [],
  timedOutUntil: null,
  avatarUrl: null,
  bio: '',
  pronouns: '',
  statusText: '',
});

/**
 * The replica's schema version. Bump it (and add a `version(n).upgrade`) when a
 * table or index changes; never edit an old version's store list.
 */
export const REPLICA_VERSION = 6;

export type { MessageStatus };

/** A message as the UI sees it (the port's `LocalMessage`), plus what only the engine reads. */
export type LocalMessage = PortLocalMessage & {
  /** A failed send keeps the arguments it was sent with, so a retry resends them all. */
  sendArgs?: MessageSendArgs;
};

/**
 * Pending messages sort after every confirmed one (whose `sortKey` is its
 * channel `seq`), in the order they were written.
 */
export const PENDING_SORT_BASE = 1e15;

/** A queued mutation, in write order (`id`). */
export interface OutboxEntry {
  id?: number;
  name: MutationName;
  args: unknown;
  /** Set the first time the entry goes on the wire; from then on it is never renumbered. */
  seq?: number;
  /** The entities it touches (`entityKey`), indexed so a rebase reads only what it needs. */
  keys: string[];
  createdAt: string;
  /**
   * Values the optimistic effect needs that the args do not carry: a new
   * channel's position, the channel of an edited or deleted message.
   */
  local?: { position?: number; channelId?: string; previous?: number[] };
  /**
   * Acked, but the change it produced has not reached the replica yet: the
   * optimistic view is kept until the scope's cursor reaches `version`, so the
   * row does not flicker back to its old state in between.
   */
  acked?: { scope: string; version: number };
}

export type EntityKind = EntityName;

/** A replicated row of any kind, as the view tables hold it. */
export type EntityRow =
  | Channel
  | Member
  | FormerMember
  | LocalMessage
  | Role
  | Emoji
  | ReadState
  | UserSettings
  | CommunityInfo
  | Block
  | PollVote;

/**
 * The last server state of an entity that has pending local changes; the view
 * row is this plus the pending mutations (null: the server has no such row).
 */
export interface Shadow {
  key: string;
  entity: EntityKind;
  id: string;
  scope: string;
  row: EntityRow | null;
}

export interface CursorRow {
  scope: string;
  version: number;
}

export interface KvRow {
  key: string;
  value: unknown;
}

/** The device's local copy of what the user may see, plus the engine's bookkeeping. */
export class Replica extends Dexie implements ReplicaPort {
  declare channels: Table<Channel, string>;
  declare members: Table<Member, string>;
  declare formerMembers: Table<FormerMember, string>;
  declare messages: Table<LocalMessage, string>;
  declare roles: Table<Role, string>;
  declare emojis: Table<Emoji, string>;
  declare readStates: Table<ReadState, string>;
  declare userSettings: Table<UserSettings, string>;
  declare community: Table<CommunityInfo, string>;
  declare blocks: Table<Block, string>;
  declare pollVotes: Table<PollVote, string>;
  declare cursors: Table<CursorRow, string>;
  declare outbox: Table<OutboxEntry, number>;
  declare shadows: Table<Shadow, string>;
  declare kv: Table<KvRow, string>;

  constructor(
    name: string,
    options?: { indexedDB?: IDBFactory; IDBKeyRange?: typeof IDBKeyRange },
  ) {
    super(name, options);
    this.version(2).stores({
      channels: 'id, position',
      members: 'id',
      messages: 'id, [channelId+sortKey], channelId',
      cursors: 'scope',
      outbox: '++id, seq, *keys, acked.scope',
      shadows: 'key, scope',
      kv: 'key',
    });
    // Version 2 adds roles, custom emoji and read state, and fields on the
    // rows already held; old rows get the defaults the server now sends.
    this.version(2)
      .stores({ roles: 'id, position', emojis: 'id, name', readStates: 'id' })
      .upgrade(async (tx) => {
        await tx
          .table<LocalMessage, string>('messages')
          .toCollection()
          .modify((m) => void Object.assign(m, { ...emptyMessageExtras(), ...m }));
        await tx
          .table<Channel, string>('channels')
          .toCollection()
          .modify((c) => {
            Object.assign(c, { ...channelDefaults, ...c });
          });
        await tx
          .table<Member, string>('members')
          .toCollection()
          .modify((m) => {
            Object.assign(m, { ...emptyMemberExtras(), ...m });
          });
      });
    // Version 3 adds the user's settings (one row, in their user scope) and the
    // community's own row (its name).
    this.version(3).stores({ userSettings: 'id', community: 'id' });
    // Version 4 keeps the names of former members whose messages remain.
    this.version(4).stores({ formerMembers: 'id' });
    // Version 5 keeps the people the user blocked (their user scope).
    this.version(5).stores({ blocks: 'id' });
    // Version 6 keeps the user's own choices in polls (their user scope).
    this.version(REPLICA_VERSION).stores({ pollVotes: 'id, channelId' });
  }

  /** The view table holding rows of `entity` (rows of the matching kind only). */
  tableOf(entity: EntityKind): Table<EntityRow, string> {
    const tables: Record<EntityKind, Table<never, string> | Table<EntityRow, string>> = {
      channel: this.channels,
      message: this.messages,
      member: this.members,
      formerMember: this.formerMembers,
      role: this.roles,
      emoji: this.emojis,
      readState: this.readStates,
      userSettings: this.userSettings,
      community: this.community,
      block: this.blocks,
      pollVote: this.pollVotes,
    };
    return tables[entity] as Table<EntityRow, string>;
  }

  /** Every view table, in a fixed order. */
  viewTables(): Table<EntityRow, string>[] {
    return ENTITY_KINDS.map((entity) => this.tableOf(entity));
  }
}

export const ENTITY_KINDS: readonly EntityKind[] = [
  'channel',
  'message',
  'member',
  'formerMember',
  'role',
  'emoji',
  'readState',
  'userSettings',
  'community',
  'block',
  'pollVote',
];

/** Where an entity's server state lives: the community, a channel, or the user's own scope. */
export const ENTITY_SCOPE: Record<EntityKind, 'community' | 'channel' | 'user'> = {
  channel: 'community',
  message: 'channel',
  member: 'community',
  formerMember: 'community',
  role: 'community',
  emoji: 'community',
  readState: 'user',
  userSettings: 'user',
  community: 'community',
  block: 'user',
  pollVote: 'user',
};

/** Opens (creating if needed) the replica named `name` in this browser profile. */
export function createReplica(
  name: string,
  options?: { indexedDB?: IDBFactory; IDBKeyRange?: typeof IDBKeyRange },
): Replica {
  return new Replica(name, options);
}

/** Reads a kv value inside or outside a transaction. */
export async function kvRead<T>(replica: Replica, key: string): Promise<T | undefined> {
  return (await replica.kv.get(key))?.value as T | undefined;
}

/** Writes a kv value (undefined deletes it). */
export async function kvWrite(replica: Replica, key: string, value: unknown): Promise<void> {
  if (value === undefined) await replica.kv.delete(key);
  else await replica.kv.put({ key, value });
}

/** The replica row of a server message. */
export function confirmed(message: Message): LocalMessage {
  return { ...message, status: 'sent', sortKey: message.seq };
}
