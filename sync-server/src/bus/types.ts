import type { PresenceStatus } from '@echora/shared';
import type { VoiceNodeReport } from '@echora/shared/voice/index';

/**
 * Committed changes of one scope. `frame` is the `changes` frame already
 * serialized once by the writer, so every node forwards the same string to
 * every session whose cursor equals `from` without encoding per recipient.
 */
export interface ChangesEvent {
  type: 'changes';
  scope: string;
  from: number;
  to: number;
  frame: string;
  /** Channels the changes upsert or delete (community scope), so nodes can hide those a user may not see. */
  channelIds?: string[];
  /**
   * Set when the change may alter which channels users can see (channel
   * created or deleted; in a user scope: that user's conversations).
   */
  accessChanged?: boolean;
  /** The DM access version the writer took (participants or blocks changed): caches reload. */
  dmAccess?: number;
}

/** Someone is typing; `frame` is the serialized `typing` frame. */
export interface TypingEvent {
  type: 'typing';
  channelId: string;
  userId: string;
  frame: string;
}

/** One node's view of one user changed (the user's status on that node). */
export interface PresenceEvent {
  type: 'presence';
  nodeId: string;
  userId: string;
  /** The user's aggregate status on `nodeId` alone; `offline` when they left it. */
  status: PresenceStatus;
}

/**
 * An SFU node's whole voice state, as it reported it to one sync node; every
 * node applies it, so each knows who is in which voice channel.
 */
export interface VoiceEvent {
  type: 'voice';
  report: VoiceNodeReport;
}

/** A node started: the others put the SFU reports they hold back on the bus for it. */
export interface VoiceHelloEvent {
  type: 'voice.hello';
  nodeId: string;
}

/**
 * A notes document changed on `nodeId` (`kind: 'update'`, a Yjs update that
 * is already stored) or someone's cursor moved (`kind: 'awareness'`, a
 * y-protocols awareness update). `data` is base64. Other nodes with the
 * document open apply it and pass it to their sockets.
 */
export interface NotesEvent {
  type: 'notes';
  /** `cursors`: a node that just loaded the document asks the others for their sockets' cursors. */
  kind: 'update' | 'awareness' | 'cursors';
  channelId: string;
  nodeId: string;
  data: string;
}

/**
 * Never published: a bus whose subscription was down and is back delivers it
 * to its own node. Events may have been lost meanwhile, and with no later
 * publish no gap would show, so every watched scope catches up from the feed.
 */
export interface ResyncEvent {
  type: 'resync';
}

export type BusEvent =
  | ChangesEvent
  | TypingEvent
  | PresenceEvent
  | VoiceEvent
  | VoiceHelloEvent
  | NotesEvent
  | ResyncEvent;

export type BusHandler = (event: BusEvent) => void;

/**
 * Fan-out between sync-server nodes. Events from one publisher arrive at every
 * subscriber (on every node, including the publisher's own) in publish order.
 * Two implementations share one test suite: in-process and Redis pub/sub.
 */
export interface Bus {
  readonly kind: 'memory' | 'redis';
  publish(event: BusEvent): Promise<void>;
  /** Returns a function that removes the handler. */
  subscribe(handler: BusHandler): () => void;
  /** Connected and subscribed: events published now reach this node. */
  ready(): boolean;
  close(): Promise<void>;
}
