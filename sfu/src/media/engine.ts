import type { MediaSource } from '@echora/shared/voice/index';

/**
 * The media layer behind the SFU, kept small so another engine (mediasoup,
 * where its worker builds) could replace werift: a room holds peers; a peer
 * publishes sources and subscribes to other peers' published tracks. The
 * engine always makes the offers; the client only answers.
 */
export interface MediaEngine {
  /** One WebRTC connection for one client; `events` reports what happens on it. */
  createPeer(id: string, events: PeerEvents): MediaPeer;
}

export interface PeerEvents {
  /** A published source received its first media packet. */
  onTrack(track: PublishedTrack): void;
  /** The media connection reached a final state: `failed` after ICE/DTLS gave up. */
  onConnectionState(state: 'connected' | 'disconnected' | 'failed' | 'closed'): void;
}

/** An offer to send the client, with the meaning of its mids. */
export interface EngineOffer {
  sdp: string;
  /** The receive slot (mid) for each source this peer publishes. */
  publish: { mid: string; source: MediaSource }[];
  /** The mid carrying each subscribed track (by `PublishedTrack.id`). */
  subscriptions: { mid: string; trackId: string }[];
}

export interface MediaPeer {
  readonly id: string;
  /** Opens a receive slot for `source`. Takes effect at the next offer. */
  receive(source: MediaSource): void;
  /** Closes the receive slot for `source`; its published track ends. */
  stopReceiving(source: MediaSource): void;
  /** Starts sending another peer's track to this client. Takes effect at the next offer. */
  subscribe(track: PublishedTrack): void;
  unsubscribe(trackId: string): void;
  /**
   * While deaf, no audio packet is sent to this client (video still flows);
   * sequence numbers continue without a gap when it hears again.
   */
  setDeafened(deaf: boolean): void;
  /** Whether anything changed since the last offer. */
  readonly needsOffer: boolean;
  createOffer(): Promise<EngineOffer>;
  applyAnswer(sdp: string): Promise<void>;
  addCandidate(candidate: IceCandidate | null): Promise<void>;
  close(): Promise<void>;
}

/** An RTCIceCandidateInit as the client sends it. */
export interface IceCandidate {
  candidate: string;
  sdpMid?: string | null;
  sdpMLineIndex?: number | null;
  usernameFragment?: string | null;
}

/** Decides, per packet, whether a published track may reach others (permissions, mute). */
export type ForwardGate = () => boolean;

/**
 * Media one peer publishes. Packets reach subscribers only while the gate the
 * room set says yes; dropped packets leave no gap in sequence numbers.
 */
export interface PublishedTrack {
  readonly id: string;
  readonly peerId: string;
  readonly source: MediaSource;
  readonly kind: 'audio' | 'video';
  /** Set by the room: the only place forwarding is allowed or refused. */
  gate: ForwardGate;
  /** Asks the publisher for a keyframe (a new viewer, or a viewer's PLI). */
  requestKeyframe(): void;
  /** Packets forwarded and dropped so far (for tests and benchmarks). */
  readonly stats: { forwarded: number; dropped: number };
  readonly ended: boolean;
}
