import {
  MediaStreamTrack,
  PictureLossIndication,
  RTCPeerConnection,
  RtcpPayloadSpecificFeedback,
  RtpHeader,
  RtpPacket,
  useNACK,
  useOPUS,
  usePLI,
  useVP8,
  type RTCDtlsTransport,
  type RTCRtpTransceiver,
} from 'werift';
import { randomUUID } from 'node:crypto';
import type { MediaSource } from '@echora/shared/voice/index';
import { sourceKind } from '@echora/shared/voice/index';
import type {
  EngineOffer,
  IceCandidate,
  MediaEngine,
  MediaPeer,
  PeerEvents,
  PublishedTrack,
} from './engine.ts';
import { WeriftPublishedTrack } from './werift-track.ts';
import { announceAddress } from './sdp.ts';
import { DirectRtpSender, rawFromPacket } from './direct-sender.ts';
import { AudioIngress, type RawRtp } from './audio-ingress.ts';
import { AUDIO_RTCP_INTERVAL_MS, RtcpReporter } from './rtcp-reporter.ts';

export interface WeriftOptions {
  /** UDP ports for ICE, inclusive; werift needs min < max. */
  portRange?: [number, number];
  /** The public address to advertise beside the host candidates (NAT 1:1). */
  announcedIp?: string;
  /** The mean interval of the RTCP reports for audio streams (default 5 s, as libwebrtc's). */
  audioRtcpIntervalMs?: number;
}

/** werift as the media engine: one RTCPeerConnection per client. */
export function createWeriftEngine(options: WeriftOptions = {}): MediaEngine {
  return { createPeer: (id, events) => new WeriftPeer(id, events, options) };
}

/** Audio frames are 20 ms of Opus at 48 kHz; video timestamps run at 90 kHz (~30 fps). */
const TIMESTAMP_STEP = { audio: 960, video: 3000 } as const;

interface SendSlot {
  transceiver: RTCRtpTransceiver;
  local: MediaStreamTrack;
  kind: 'audio' | 'video';
  /** Audio goes straight to SRTP; video keeps werift's sender (its NACK cache). */
  direct: DirectRtpSender | undefined;
  track: WeriftPublishedTrack | undefined;
  // Rewriting state so a slot reused for another source continues its sequence.
  lastSeq: number | undefined;
  lastTs: number | undefined;
  seqOffset: number;
  tsOffset: number;
  currentSource: string | undefined;
}

interface ReceiveSlot {
  transceiver: RTCRtpTransceiver;
  track: WeriftPublishedTrack | undefined;
}

class WeriftPeer implements MediaPeer {
  needsOffer = false;
  /** Audio packets withheld from this client while deafened. */
  audioWithheld = 0;
  private deaf = false;
  private readonly pc: RTCPeerConnection;
  private readonly receiving = new Map<MediaSource, ReceiveSlot>();
  private readonly sending = new Map<string, SendSlot>();
  private readonly idle: SendSlot[] = [];
  private rtcpWatched = false;
  /** Published audio's receive path beside werift's, once DTLS is up. */
  private ingress: AudioIngress | undefined;
  /** The RTCP SRs of direct audio senders and the RRs of audio receivers. */
  private readonly reporter: RtcpReporter;
  private closed = false;

  constructor(
    readonly id: string,
    private readonly events: PeerEvents,
    private readonly options: WeriftOptions,
  ) {
    this.pc = new RTCPeerConnection({
      iceServers: [],
      bundlePolicy: 'max-bundle',
      codecs: {
        audio: [useOPUS()],
        video: [useVP8({ rtcpFeedback: [useNACK(), usePLI()] })],
      },
      ...(options.portRange ? { icePortRange: options.portRange } : {}),
    });
    this.reporter = new RtcpReporter(options.audioRtcpIntervalMs ?? AUDIO_RTCP_INTERVAL_MS);
    this.pc.connectionStateChange.subscribe((state) => {
      if (state === 'connected' || state === 'disconnected' || state === 'failed')
        this.events.onConnectionState(state);
      else if (state === 'closed' && !this.closed) this.events.onConnectionState('closed');
    });
  }

  receive(source: MediaSource): void {
    if (this.receiving.has(source)) return;
    const transceiver = this.pc.addTransceiver(sourceKind[source], { direction: 'recvonly' });
    // werift would otherwise hand this slot to a later addTransceiver of any kind once inactive.
    transceiver.usedForSender = true;
    const slot: ReceiveSlot = { transceiver, track: undefined };
    this.receiving.set(source, slot);
    if (sourceKind[source] === 'audio') this.reporter.addReceiver(transceiver.receiver);
    // onTrack fires again on each renegotiation: only the first one publishes.
    transceiver.onTrack.subscribe((remote) => {
      if (slot.track || this.receiving.get(source) !== slot) return;
      slot.track = new WeriftPublishedTrack(
        randomUUID(),
        this.id,
        source,
        remote,
        transceiver.receiver,
      );
      this.ingressAdd(slot.track);
      if (slot.track.kind === 'audio') this.reporter.soon();
      this.events.onTrack(slot.track);
    });
    this.needsOffer = true;
  }

  stopReceiving(source: MediaSource): void {
    const slot = this.receiving.get(source);
    if (!slot) return;
    this.receiving.delete(source);
    this.reporter.removeReceiver(slot.transceiver.receiver);
    if (slot.track?.ssrc !== undefined) this.ingress?.remove(slot.track.ssrc);
    slot.track?.end();
    slot.transceiver.setDirection('inactive');
    this.needsOffer = true;
  }

  subscribe(track: PublishedTrack): void {
    if (!(track instanceof WeriftPublishedTrack) || this.sending.has(track.id) || track.ended)
      return;
    const slot = this.takeSendSlot(track.kind);
    slot.track = track;
    this.sending.set(track.id, slot);
    track.addSink(this.id, (rtp, seq, from) => this.write(slot, rtp, seq, from));
    this.needsOffer = true;
  }

  unsubscribe(trackId: string): void {
    const slot = this.sending.get(trackId);
    if (!slot) return;
    this.sending.delete(trackId);
    slot.track?.removeSink(this.id);
    slot.track = undefined;
    slot.transceiver.setDirection('inactive');
    this.idle.push(slot);
    this.needsOffer = true;
  }

  setDeafened(deaf: boolean): void {
    this.deaf = deaf;
  }

  private takeSendSlot(kind: 'audio' | 'video'): SendSlot {
    const index = this.idle.findIndex((s) => s.kind === kind);
    const reused = index >= 0 ? this.idle.splice(index, 1)[0] : undefined;
    if (reused) {
      reused.transceiver.setDirection('sendonly');
      return reused;
    }
    const local = new MediaStreamTrack({ kind });
    const transceiver = this.pc.addTransceiver(local, { direction: 'sendonly' });
    transceiver.usedForSender = true;
    return {
      transceiver,
      local,
      kind,
      direct: kind === 'audio' ? new DirectRtpSender(transceiver.sender, this.reporter) : undefined,
      track: undefined,
      lastSeq: undefined,
      lastTs: undefined,
      seqOffset: 0,
      tsOffset: 0,
      currentSource: undefined,
    };
  }

  private write(
    slot: SendSlot,
    rtp: RtpPacket | RawRtp,
    sequenceNumber: number,
    from: WeriftPublishedTrack,
  ): void {
    // A RawRtp carries its sequence number beside the header bytes; an RtpPacket in its header.
    const packet =
      typeof (rtp as RawRtp).sequenceNumber === 'number' ? undefined : (rtp as RtpPacket);
    const timestamp = packet ? packet.header.timestamp : (rtp as RawRtp).timestamp;
    if (this.deaf && slot.kind === 'audio') {
      // Saves the bandwidth; the next packet sent follows the last without a gap.
      slot.seqOffset = (slot.seqOffset - 1) & 0xffff;
      this.audioWithheld++;
      return;
    }
    if (slot.currentSource !== from.id) {
      slot.currentSource = from.id;
      if (slot.lastSeq !== undefined && slot.lastTs !== undefined) {
        slot.seqOffset = (slot.lastSeq + 1 - sequenceNumber) & 0xffff;
        slot.tsOffset = (slot.lastTs + TIMESTAMP_STEP[slot.kind] - timestamp) >>> 0;
      }
    }
    const seq = (sequenceNumber + slot.seqOffset) & 0xffff;
    const ts = (timestamp + slot.tsOffset) >>> 0;
    slot.lastSeq = seq;
    slot.lastTs = ts;
    if (slot.direct?.usable) {
      slot.direct.send(packet ? rawFromPacket(packet) : (rtp as RawRtp), seq, ts);
      return;
    }
    // werift's sender rewrites the header it is given, so each subscriber gets its own copy.
    const out = packet
      ? packet.clone()
      : new RtpPacket(RtpHeader.deSerialize((rtp as RawRtp).header), (rtp as RawRtp).payload);
    out.header.sequenceNumber = seq;
    out.header.timestamp = ts;
    slot.local.writeRtp(out);
  }

  async createOffer(): Promise<EngineOffer> {
    this.needsOffer = false;
    const offer = await this.pc.createOffer();
    await this.pc.setLocalDescription(offer);
    if (this.pc.iceGatheringState !== 'complete')
      await this.pc.iceGatheringStateChange.watch((s) => s === 'complete', 10_000);
    this.watchRtcp();
    const sdp = this.pc.localDescription?.sdp ?? offer.sdp;
    return {
      sdp: this.options.announcedIp ? announceAddress(sdp, this.options.announcedIp) : sdp,
      publish: [...this.receiving].flatMap(([source, slot]) =>
        slot.transceiver.mid ? [{ mid: slot.transceiver.mid, source }] : [],
      ),
      subscriptions: [...this.sending].flatMap(([trackId, slot]) =>
        slot.transceiver.mid ? [{ mid: slot.transceiver.mid, trackId }] : [],
      ),
    };
  }

  /**
   * A subscriber's PLI names the SSRC we send with, and werift may not route
   * it to that sender: read it off the transport and ask the publisher.
   */
  private watchRtcp(): void {
    if (this.rtcpWatched) return;
    const dtls = this.pc.dtlsTransports[0];
    if (!dtls) return;
    this.rtcpWatched = true;
    this.startIngress(dtls);
    dtls.onRtcp.subscribe((packet) => {
      if (!(packet instanceof RtcpPayloadSpecificFeedback)) return;
      if (!(packet.feedback instanceof PictureLossIndication)) return;
      const ssrc = packet.feedback.mediaSsrc;
      for (const slot of this.sending.values())
        if (slot.transceiver.sender.ssrc === ssrc) slot.track?.requestKeyframe();
    });
  }

  /** Creates the audio ingress now and puts it on the sockets once DTLS (and SRTP) is up. */
  private startIngress(dtls: RTCDtlsTransport): void {
    const ingress = new AudioIngress(dtls);
    this.ingress = ingress;
    for (const slot of this.receiving.values()) if (slot.track) this.ingressAdd(slot.track);
    if (dtls.state === 'connected') ingress.install();
    else
      dtls.onStateChange.subscribe((state) => {
        if (state === 'connected' && !this.closed) ingress.install();
      });
  }

  private ingressAdd(track: WeriftPublishedTrack): void {
    const { ssrc } = track;
    if (track.kind !== 'audio' || ssrc === undefined || !this.ingress) return;
    this.ingress.add(ssrc, track.receiver, (raw) => track.forwardRaw(raw));
  }

  /** Audio packets the ingress took (the rest went through werift's path). */
  get ingressPackets(): number {
    return this.ingress?.packets ?? 0;
  }

  async applyAnswer(sdp: string): Promise<void> {
    await this.pc.setRemoteDescription({ type: 'answer', sdp });
  }

  async addCandidate(candidate: IceCandidate | null): Promise<void> {
    if (candidate === null || candidate.candidate === '') return;
    await this.pc.addIceCandidate({
      candidate: candidate.candidate,
      ...(candidate.sdpMid != null ? { sdpMid: candidate.sdpMid } : {}),
      ...(candidate.sdpMLineIndex != null ? { sdpMLineIndex: candidate.sdpMLineIndex } : {}),
    });
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.reporter.close();
    for (const slot of this.receiving.values()) slot.track?.end();
    for (const slot of this.sending.values()) slot.track?.removeSink(this.id);
    this.receiving.clear();
    this.sending.clear();
    await this.pc.close();
  }
}
