import type {
  MediaSource,
  VoiceParticipant,
  VoicePerms,
  VoiceSessionPerms,
} from '@echora/shared/voice/index';
import type { MediaPeer, PublishedTrack } from './media/engine.ts';

/** What a member asked for (`muted`, `deafened`, `speaking`) and what moderators set. */
export interface MemberState {
  muted: boolean;
  deafened: boolean;
  speaking: boolean;
  serverMuted: boolean;
  serverDeafened: boolean;
}

/** A moderator's mute and deafen of one user, as the SFU keeps them. */
export interface Moderation {
  serverMuted: boolean;
  serverDeafened: boolean;
}

/** What the room needs from one connected client. */
export interface Member {
  readonly sessionId: string;
  readonly userId: string;
  readonly perms: VoicePerms;
  readonly peer: MediaPeer;
  readonly joinedAt: number;
  state: MemberState;
  /** Sources the client asked to publish (video shows as streaming once media flows). */
  readonly publishing: Set<MediaSource>;
  /** Sends the latest room list to this client. */
  notify(participants: VoiceParticipant[]): void;
  /** Starts (or queues) a renegotiation of this client's connection. */
  negotiate(): void;
}

/**
 * Whether a member's media may reach others. The one place the grant and
 * mute are enforced: a forged client that sends audio anyway is dropped here.
 */
export function mayForward(member: Member, source: MediaSource): boolean {
  if (source === 'mic')
    return (
      member.perms.speak &&
      !member.state.muted &&
      !member.state.deafened &&
      !member.state.serverMuted
    );
  return member.perms.stream;
}

/** Whether a member hears nothing: no audio is forwarded to a deafened client. */
export const isDeaf = (member: Member): boolean =>
  member.state.deafened || member.state.serverDeafened;

/** One voice channel on this node: its members and their published tracks. */
export class Room {
  private readonly members = new Map<string, Member>();
  private readonly tracks = new Map<string, { track: PublishedTrack; member: Member }>();

  constructor(
    readonly channelId: string,
    /** Called after every change of who is here or their state. */
    private readonly onChange: () => void,
  ) {}

  get size(): number {
    return this.members.size;
  }

  /** The member of `userId`, if connected here. */
  byUser(userId: string): Member | undefined {
    for (const m of this.members.values()) if (m.userId === userId) return m;
    return undefined;
  }

  add(member: Member): void {
    this.members.set(member.sessionId, member);
    member.peer.setDeafened(isDeaf(member));
    for (const { track, member: owner } of this.tracks.values())
      if (owner !== member) member.peer.subscribe(track);
    if (member.peer.needsOffer) member.negotiate();
    this.changed();
  }

  remove(member: Member): void {
    if (this.members.get(member.sessionId) !== member) return;
    this.members.delete(member.sessionId);
    for (const [id, entry] of this.tracks) if (entry.member === member) this.dropTrack(id);
    this.changed();
  }

  /** A member's source started flowing: gate it and send it to everyone else. */
  addTrack(member: Member, track: PublishedTrack): void {
    if (this.members.get(member.sessionId) !== member) return;
    track.gate = () => mayForward(member, track.source);
    this.tracks.set(track.id, { track, member });
    for (const other of this.members.values()) {
      if (other === member) continue;
      other.peer.subscribe(track);
      other.negotiate();
    }
    this.changed();
  }

  /** A member stopped a source. */
  endSource(member: Member, source: MediaSource): void {
    for (const [id, entry] of this.tracks)
      if (entry.member === member && entry.track.source === source) this.dropTrack(id);
    this.changed();
  }

  private dropTrack(trackId: string): void {
    this.tracks.delete(trackId);
    for (const other of this.members.values()) {
      other.peer.unsubscribe(trackId);
      if (other.peer.needsOffer) other.negotiate();
    }
  }

  /** The owner and source of a track sent to clients (for the offer's `tracks` list). */
  describe(trackId: string): { userId: string; source: MediaSource } | undefined {
    const entry = this.tracks.get(trackId);
    return entry ? { userId: entry.member.userId, source: entry.track.source } : undefined;
  }

  /**
   * Server-side mute, for moderators (`POST /internal/moderate`). Enforced by
   * the same gate as self-mute.
   */
  setServerMuted(userId: string, muted: boolean): boolean {
    return this.moderate(userId, { mute: muted }) !== undefined;
  }

  /**
   * Applies a moderator's mute and/or deafen to `userId`; returns the member's
   * moderation after it, or undefined when they are not here.
   */
  moderate(userId: string, change: { mute?: boolean; deafen?: boolean }): Moderation | undefined {
    const member = this.byUser(userId);
    if (!member) return undefined;
    if (change.mute !== undefined) member.state.serverMuted = change.mute;
    if (change.deafen !== undefined) member.state.serverDeafened = change.deafen;
    this.changed();
    return { serverMuted: member.state.serverMuted, serverDeafened: member.state.serverDeafened };
  }

  /** Everyone here, as the sync server and the clients see them. */
  participants(): VoiceParticipant[] {
    return [...this.members.values()].map((m) => {
      const live = new Set(
        [...this.tracks.values()].filter((t) => t.member === m).map((t) => t.track.source),
      );
      const camera = live.has('camera') && m.perms.stream;
      const screen = live.has('screen') && m.perms.stream;
      return {
        userId: m.userId,
        channelId: this.channelId,
        muted: m.state.muted || !m.perms.speak,
        serverMuted: m.state.serverMuted,
        deafened: m.state.deafened,
        serverDeafened: m.state.serverDeafened,
        streaming: camera || screen,
        camera,
        screen,
        speaking: m.state.speaking && mayForward(m, 'mic'),
        joinedAt: m.joinedAt,
      };
    });
  }

  /** What everyone here may do now, for the node's report. */
  perms(): VoiceSessionPerms[] {
    return [...this.members.values()].map((m) => ({
      userId: m.userId,
      channelId: this.channelId,
      perms: m.perms,
    }));
  }

  /** Tells every member and the node's reporter that something changed. */
  changed(): void {
    const list = this.participants();
    for (const m of this.members.values()) {
      m.peer.setDeafened(isDeaf(m));
      m.notify(list);
    }
    this.onChange();
  }

  /** Packet counters of every track here (tests and benchmarks read them). */
  trackStats(): { userId: string; source: MediaSource; forwarded: number; dropped: number }[] {
    return [...this.tracks.values()].map(({ track, member }) => ({
      userId: member.userId,
      source: track.source,
      ...track.stats,
    }));
  }
}
