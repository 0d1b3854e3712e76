import { Dexie, type Table } from 'dexie';
import type { Channel, Member, Message, MutationName, WireError } from '@echora/shared';

/**
 * The replica's schema version. Bump it (and add a `version(n).upgrade`) when a
 * table or index changes; never edit an old version's store list.
 */
export const REPLICA_VERSION = 1;

export type MessageStatus = 'sent' | 'pending' | 'failed';

/** A message as the UI sees it: the server's message plus its local state. */
export type LocalMessage = Message & { status: MessageStatus; error?: WireError; sortKey: number };

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
  local?: { position?: number; channelId?: string };
  /**
   * Acked, but the change it produced has not reached the replica yet: the
   * optimistic view is kept until the scope's cursor reaches `version`, so the
   * row does not flicker back to its old state in between.
   */
  acked?: { scope: string; version: number };
}

export type EntityKind = 'channel' | 'message' | 'member';

/**
 * The last server state of an entity that has pending local changes; the view
 * row is this plus the pending mutations (null: the server has no such row).
 */
export interface Shadow {
  key: string;
  entity: EntityKind;
  id: string;
  scope: string;
  row: Channel | Member | LocalMessage | null;
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
export class Replica extends Dexie {
  declare channels: Table<Channel, string>;
  declare members: Table<Member, string>;
  declare messages: Table<LocalMessage, string>;
  declare cursors: Table<CursorRow, string>;
  declare outbox: Table<OutboxEntry, number>;
  declare shadows: Table<Shadow, string>;
  declare kv: Table<KvRow, string>;

  constructor(
    name: string,
    options?: { indexedDB?: IDBFactory; IDBKeyRange?: typeof IDBKeyRange },
  ) {
    super(name, options);
    this.version(REPLICA_VERSION).stores({
      channels: 'id, position',
      members: 'id',
      messages: 'id, [channelId+sortKey], channelId',
      cursors: 'scope',
      outbox: '++id, seq, *keys, acked.scope',
      shadows: 'key, scope',
      kv: 'key',
    });
  }
}

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
