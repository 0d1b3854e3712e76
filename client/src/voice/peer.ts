import type { IceServer, MediaSource, OfferSignal } from '@echora/shared/voice/index';

/** A track the SFU sends us, with whose it is. */
export interface RemoteMedia {
  mid: string;
  userId: string;
  source: MediaSource;
  track: MediaStreamTrack;
}

/**
 * The browser side of one SFU connection. The SFU always offers; this side
 * answers, binding its own tracks to the receive slots the offer names.
 */
export class VoicePeer {
  readonly pc: RTCPeerConnection;
  private readonly local = new Map<MediaSource, MediaStreamTrack>();
  private slots = new Map<MediaSource, string>();
  remote: RemoteMedia[] = [];
  /** Answers run one at a time in arrival order (the SFU sends one offer at a time anyway). */
  private chain: Promise<unknown> = Promise.resolve();

  constructor(
    iceServers: IceServer[],
    private readonly onCandidate: (candidate: RTCIceCandidateInit | null) => void,
    private readonly onRemote: (remote: RemoteMedia[]) => void,
    onState: (state: RTCPeerConnectionState) => void,
  ) {
    this.pc = new RTCPeerConnection({ iceServers, bundlePolicy: 'max-bundle' });
    this.pc.onicecandidate = (event) => this.onCandidate(event.candidate?.toJSON() ?? null);
    this.pc.onconnectionstatechange = () => onState(this.pc.connectionState);
    this.pc.ontrack = () => this.onRemote(this.refreshRemote());
  }

  /** Applies an SFU offer and returns the answer SDP. */
  answer(offer: OfferSignal): Promise<string> {
    const run = this.chain.then(() => this.applyOffer(offer));
    this.chain = run.catch(() => undefined);
    return run;
  }

  private async applyOffer(offer: OfferSignal): Promise<string> {
    await this.pc.setRemoteDescription({ type: 'offer', sdp: offer.sdp });
    this.slots = new Map(offer.publish.map(({ mid, source }) => [source, mid]));
    for (const { mid, source } of offer.publish) {
      const transceiver = this.transceiver(mid);
      if (!transceiver) continue;
      transceiver.direction = 'sendonly';
      const track = this.local.get(source) ?? null;
      if (transceiver.sender.track !== track) await transceiver.sender.replaceTrack(track);
    }
    this.tracks = offer.tracks;
    const answer = await this.pc.createAnswer();
    await this.pc.setLocalDescription(answer);
    this.onRemote(this.refreshRemote());
    return this.pc.localDescription?.sdp ?? answer.sdp ?? '';
  }

  private tracks: OfferSignal['tracks'] = [];

  private transceiver(mid: string): RTCRtpTransceiver | undefined {
    return this.pc.getTransceivers().find((t) => t.mid === mid);
  }

  private refreshRemote(): RemoteMedia[] {
    this.remote = this.tracks.flatMap(({ mid, userId, source }) => {
      const track = this.transceiver(mid)?.receiver.track;
      return track ? [{ mid, userId, source, track }] : [];
    });
    return this.remote;
  }

  /**
   * Sets (or clears) the local track of a source. When its slot is already
   * negotiated the track is swapped in place, without renegotiation.
   */
  async setLocal(source: MediaSource, track: MediaStreamTrack | null): Promise<void> {
    if (track) this.local.set(source, track);
    else this.local.delete(source);
    const mid = this.slots.get(source);
    const sender = mid === undefined ? undefined : this.transceiver(mid)?.sender;
    if (sender && sender.track !== track) await sender.replaceTrack(track);
  }

  addCandidate(candidate: RTCIceCandidateInit): Promise<void> {
    return this.pc.addIceCandidate(candidate);
  }

  close(): void {
    this.pc.close();
  }
}
