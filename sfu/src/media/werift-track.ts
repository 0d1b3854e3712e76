import type { MediaStreamTrack, RTCRtpReceiver, RtpPacket } from 'werift';
import type { RawRtp } from './audio-ingress.ts';
import type { MediaSource } from '@echora/shared/voice/index';
import { sourceKind } from '@echora/shared/voice/index';
import type { ForwardGate, PublishedTrack } from './engine.ts';

/**
 * A receiver of forwarded packets (one per subscriber), given the sequence
 * number to forward with (the publisher's, less the packets the gate dropped).
 * Audio arrives raw from the ingress, except packets werift's own path took;
 * video always as werift's packets. Must not keep or mutate `rtp`.
 */
export type RtpSink = (
  rtp: RtpPacket | RawRtp,
  sequenceNumber: number,
  from: WeriftPublishedTrack,
) => void;

/** Keyframe requests closer together than this are merged: a burst of new viewers asks once. */
const KEYFRAME_MIN_INTERVAL_MS = 300;

/**
 * One published source on a werift receiver. Packets pass the room's gate,
 * then fan out to every sink. Dropped packets shift later sequence numbers
 * back so subscribers see no loss after an unmute.
 */
export class WeriftPublishedTrack implements PublishedTrack {
  readonly kind: 'audio' | 'video';
  gate: ForwardGate = () => false;
  readonly stats = { forwarded: 0, dropped: 0 };
  ended = false;
  private readonly sinks = new Map<string, RtpSink>();
  /** The sinks' values, rebuilt on change: the per-packet loop allocates no iterator. */
  private sinkList: RtpSink[] = [];
  private seqShift = 0;
  private lastKeyframeAsk = 0;
  private readonly unsubscribe: () => void;

  constructor(
    readonly id: string,
    readonly peerId: string,
    readonly source: MediaSource,
    private readonly remote: MediaStreamTrack,
    readonly receiver: RTCRtpReceiver,
  ) {
    this.kind = sourceKind[source];
    this.unsubscribe = remote.onReceiveRtp.subscribe((rtp) => this.forward(rtp)).unSubscribe;
  }

  /** The publisher's SSRC, if its SDP named one. */
  get ssrc(): number | undefined {
    return this.remote.ssrc;
  }

  /** A packet from werift's receive path. */
  private forward(rtp: RtpPacket): void {
    this.forwardPacket(rtp, rtp.header.sequenceNumber);
  }

  /** A packet from the audio ingress. */
  forwardRaw(rtp: RawRtp): void {
    this.forwardPacket(rtp, rtp.sequenceNumber);
  }

  private forwardPacket(rtp: RtpPacket | RawRtp, publisherSeq: number): void {
    if (this.ended) return;
    if (!this.gate()) {
      this.stats.dropped++;
      this.seqShift = (this.seqShift + 1) & 0xffff;
      return;
    }
    this.stats.forwarded++;
    if (this.sinkList.length === 0) return;
    const sequenceNumber = (publisherSeq - this.seqShift) & 0xffff;
    const sinks = this.sinkList;
    for (let i = 0; i < sinks.length; i++) sinks[i]?.(rtp, sequenceNumber, this);
  }

  addSink(key: string, sink: RtpSink): void {
    this.sinks.set(key, sink);
    this.sinkList = [...this.sinks.values()];
    if (this.kind === 'video') this.requestKeyframe();
  }

  removeSink(key: string): void {
    this.sinks.delete(key);
    this.sinkList = [...this.sinks.values()];
  }

  requestKeyframe(): void {
    const now = Date.now();
    if (
      this.ended ||
      this.kind !== 'video' ||
      now - this.lastKeyframeAsk < KEYFRAME_MIN_INTERVAL_MS
    )
      return;
    this.lastKeyframeAsk = now;
    const ssrc = this.remote.ssrc;
    if (ssrc === undefined) return;
    this.receiver.sendRtcpPLI(ssrc).catch(() => {
      // The publisher is gone; its track ends with its peer.
    });
  }

  end(): void {
    this.ended = true;
    this.unsubscribe();
    this.sinks.clear();
    this.sinkList = [];
  }
}
