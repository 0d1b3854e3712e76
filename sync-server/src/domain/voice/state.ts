import {
  VOICE_NODE_TTL_MS,
  type VoiceNodeReport,
  type VoiceParticipant,
  type VoiceSessionPerms,
} from '@echora/shared/voice/index';

/** One channel's participants changed (empty when the channel emptied). */
export type VoiceChangeListener = (channelId: string, participants: VoiceParticipant[]) => void;

interface NodeEntry {
  epoch: string;
  seq: number;
  receivedAt: number;
  participants: VoiceParticipant[];
  perms: VoiceSessionPerms[] | undefined;
  control: string | undefined;
}

/** An SFU node whose latest report this sync node received itself (see {@link VoiceStateStore.held}). */
export interface HeldNode {
  node: string;
  control: string | undefined;
  participants: readonly VoiceParticipant[];
  /** What the node says each participant may do; absent from older nodes. */
  perms: readonly VoiceSessionPerms[] | undefined;
}

/** Where a user is in voice, and how to reach the SFU node that holds them. */
export interface VoiceLocation {
  participant: VoiceParticipant;
  node: string;
  /** The node's control URL, if it takes moderation commands. */
  control: string | undefined;
}

/**
 * Who is in which voice channel: ephemeral, rebuilt from the SFU nodes'
 * whole-state reports, never written to the database. A node that stops
 * reporting for `VOICE_NODE_TTL_MS` is presumed dead and its people vanish.
 */
export class VoiceStateStore {
  private readonly nodes = new Map<string, NodeEntry>();
  private readonly listeners = new Set<VoiceChangeListener>();
  private byChannel = new Map<string, VoiceParticipant[]>();
  /** Users a moderator muted or deafened, kept after they leave so grants carry it. */
  private readonly moderated = new Map<string, { mute: boolean; deafen: boolean }>();
  /** The report of each SFU node that last came in through this sync node's route. */
  private readonly receivedHere = new Map<string, { epoch: string; seq: number }>();

  /** Applies a node's report; stale ones (an older seq of the same process) are ignored. */
  apply(report: VoiceNodeReport, now = Date.now()): void {
    const known = this.nodes.get(report.node);
    if (known && known.epoch === report.epoch && known.seq >= report.seq) return;
    this.nodes.set(report.node, {
      epoch: report.epoch,
      seq: report.seq,
      receivedAt: now,
      participants: report.participants,
      perms: report.perms,
      control: report.control,
    });
    this.rebuild();
  }

  /**
   * The SFU node posted `report` to this sync node (before it goes on the
   * bus): this node then speaks for it until a later report reaches another.
   */
  markReceived(report: VoiceNodeReport): void {
    this.receivedHere.set(report.node, { epoch: report.epoch, seq: report.seq });
  }

  /**
   * The SFU nodes this sync node speaks for: those whose latest report came
   * through it. Every node applies every report, but only the one that took
   * it in sends the node commands, so each SFU node hears from one sync node.
   */
  held(): HeldNode[] {
    const out: HeldNode[] = [];
    for (const [node, entry] of this.nodes) {
      const mine = this.receivedHere.get(node);
      if (mine?.epoch !== entry.epoch || mine.seq !== entry.seq) continue;
      out.push({
        node,
        control: entry.control,
        participants: entry.participants,
        perms: entry.perms,
      });
    }
    return out;
  }

  /** Forgets nodes silent for too long. */
  expire(now = Date.now()): void {
    let removed = false;
    for (const [node, entry] of this.nodes)
      if (now - entry.receivedAt > VOICE_NODE_TTL_MS) {
        this.nodes.delete(node);
        this.receivedHere.delete(node);
        removed = true;
      }
    if (removed) this.rebuild();
  }

  /** Participants of one channel, in join order. */
  channel(channelId: string): VoiceParticipant[] {
    return this.byChannel.get(channelId) ?? [];
  }

  /** The user's place in voice (the latest join if several nodes list them). */
  locate(userId: string): VoiceLocation | undefined {
    let found: VoiceLocation | undefined;
    for (const [node, entry] of this.nodes)
      for (const participant of entry.participants)
        if (
          participant.userId === userId &&
          (!found || participant.joinedAt > found.participant.joinedAt)
        )
          found = { participant, node, control: entry.control };
    return found;
  }

  /** The latest report of every live SFU node, as it was sent. */
  reports(): VoiceNodeReport[] {
    return [...this.nodes].map(([node, e]) => ({
      node,
      epoch: e.epoch,
      seq: e.seq,
      participants: e.participants,
      ...(e.perms === undefined ? {} : { perms: e.perms }),
      ...(e.control === undefined ? {} : { control: e.control }),
    }));
  }

  /** A moderator's standing mute/deafen of `userId`, as the SFU nodes last reported it. */
  moderation(userId: string): { mute: boolean; deafen: boolean } | undefined {
    return this.moderated.get(userId);
  }

  /** Every non-empty channel. */
  channels(): ReadonlyMap<string, VoiceParticipant[]> {
    return this.byChannel;
  }

  /** Returns a function that removes the listener. */
  subscribe(listener: VoiceChangeListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private rebuild(): void {
    const next = new Map<string, VoiceParticipant[]>();
    for (const entry of this.nodes.values())
      for (const p of entry.participants) {
        const list = next.get(p.channelId) ?? [];
        list.push(p);
        next.set(p.channelId, list);
      }
    for (const list of next.values()) list.sort((a, b) => a.joinedAt - b.joinedAt);
    for (const list of next.values())
      for (const p of list)
        if (p.serverMuted || p.serverDeafened)
          this.moderated.set(p.userId, { mute: p.serverMuted, deafen: p.serverDeafened });
        else this.moderated.delete(p.userId);
    const previous = this.byChannel;
    this.byChannel = next;
    for (const channelId of new Set([...previous.keys(), ...next.keys()])) {
      const before = previous.get(channelId) ?? [];
      const after = next.get(channelId) ?? [];
      if (JSON.stringify(before) === JSON.stringify(after)) continue;
      for (const listener of this.listeners) listener(channelId, after);
    }
  }
}
