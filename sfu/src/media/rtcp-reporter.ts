import {
  RtcpReceiverInfo,
  RtcpRrPacket,
  type RTCDtlsTransport,
  type RTCRtpReceiver,
  type RtcpPacket,
} from 'werift';

/**
 * libwebrtc's audio RTCP interval (its `kDefaultAudioReportInterval`): a
 * report every 5 s, each interval drawn from [0.5, 1.5] × this (RFC 3550
 * §6.3.1), instead of werift's loop per stream every 0.5–1.5 s.
 */
export const AUDIO_RTCP_INTERVAL_MS = 5000;
/** A stream's first report follows its first packet by about this much (× [0.5, 1.5]). */
const FIRST_REPORT_MS = 1000;

/** What the reporter asks of a sender it reports for (the direct audio sender). */
export interface ReportingSender {
  /**
   * The RTCP packets of a sender report (SR and SDES) and the transport to
   * send them on, if the sender sent media after `sinceMs`
   * (`performance.now()` time); undefined otherwise (RFC 3550 §6.4: a
   * participant that sent nothing since the second previous report is no
   * longer a sender).
   */
  senderReport(sinceMs: number): { transport: RTCDtlsTransport; packets: RtcpPacket[] } | undefined;
}

/** The fields of werift's RTCRtpReceiver its own RR loop reads; private in its typings. */
interface ReceiverInternals {
  stopped: boolean;
  rtcpRunning: boolean;
  rtcpSsrc: number;
  /** Undefined until the first negotiation. */
  dtlsTransport: RTCDtlsTransport | undefined;
  remoteStreams: Record<number, StreamStatisticsInternals | undefined>;
  lastSRtimestamp: Record<number, number | undefined>;
  receiveLastSRTimestamp: Record<number, number | undefined>;
}

/** werift's StreamStatistics (receiver/statistics). `fraction_lost` resets its interval when read. */
interface StreamStatisticsInternals {
  max_seq: number | undefined;
  cycles: number;
  readonly fraction_lost: number;
  readonly packets_lost: number;
  readonly jitter: number;
}

/**
 * The RR werift's receiver loop would send, for every stream the receiver
 * has seen a packet of. The highest sequence number is the extended one
 * (cycles included, RFC 3550 §6.4.1); werift's loop leaves the cycles out.
 */
export function receiverReport(receiver: RTCRtpReceiver): RtcpRrPacket | undefined {
  const r = receiver as unknown as ReceiverInternals;
  const reports: RtcpReceiverInfo[] = [];
  const nowSeconds = Date.now() / 1000;
  for (const [key, stream] of Object.entries(r.remoteStreams)) {
    if (!stream || stream.max_seq === undefined) continue;
    const ssrc = Number(key);
    let lsr = 0;
    let dlsr = 0;
    const last = r.lastSRtimestamp[ssrc];
    const receivedAt = r.receiveLastSRTimestamp[ssrc];
    if (last && receivedAt !== undefined) {
      lsr = last;
      const delaySeconds = nowSeconds - receivedAt;
      if (delaySeconds > 0 && delaySeconds < 65536) dlsr = Math.floor(delaySeconds * 65536);
    }
    reports.push(
      new RtcpReceiverInfo({
        ssrc,
        fractionLost: stream.fraction_lost,
        packetsLost: stream.packets_lost,
        highestSequence: (stream.cycles + stream.max_seq) >>> 0,
        jitter: stream.jitter,
        lsr,
        dlsr,
      }),
    );
  }
  if (reports.length === 0) return undefined;
  return new RtcpRrPacket({ ssrc: r.rtcpSsrc, reports });
}

const ignore = (): void => {};

/**
 * One RTCP reporter per peer connection for its audio streams: one timer
 * sends a round of reports every ~5 s (jittered): an SR + SDES for each
 * direct sender that sent since the second previous round and an RR for each
 * audio receiver. This replaces werift's loop per stream (a promise timer
 * with an abort signal every 0.5–1.5 s each). A stream's first report goes
 * about a second after it starts (a second timer, reporting new streams
 * only), so a subscriber has an SR for lip sync early; the others keep their
 * interval. Video keeps werift's loops (its streams are never added here).
 */
export class RtcpReporter {
  private readonly senders = new Set<ReportingSender>();
  private readonly receivers = new Set<RTCRtpReceiver>();
  /** Streams with a report sent; the early round skips them. */
  private readonly reported = new WeakSet<object>();
  private regular: NodeJS.Timeout | undefined;
  private early: NodeJS.Timeout | undefined;
  /** `performance.now()` of the previous two regular rounds. */
  private previous = Number.NEGATIVE_INFINITY;
  private beforePrevious = Number.NEGATIVE_INFINITY;
  private closed = false;

  constructor(
    private readonly intervalMs = AUDIO_RTCP_INTERVAL_MS,
    private readonly random: () => number = Math.random,
  ) {}

  addSender(sender: ReportingSender): void {
    this.senders.add(sender);
    this.scheduleRegular();
  }

  /** Takes over the receiver's RR: werift's own loop never starts for it. */
  addReceiver(receiver: RTCRtpReceiver): void {
    (receiver as unknown as ReceiverInternals).rtcpRunning = true;
    this.receivers.add(receiver);
    this.scheduleRegular();
  }

  removeReceiver(receiver: RTCRtpReceiver): void {
    this.receivers.delete(receiver);
  }

  /** A stream started: its first report follows within about a second, not a whole interval. */
  soon(): void {
    if (this.early || this.closed) return;
    this.early = setTimeout(
      () => {
        this.early = undefined;
        if (!this.closed) this.report(true);
      },
      FIRST_REPORT_MS * (0.5 + this.random()),
    );
    this.early.unref();
  }

  close(): void {
    this.closed = true;
    clearTimeout(this.regular);
    clearTimeout(this.early);
    this.senders.clear();
    this.receivers.clear();
  }

  private scheduleRegular(): void {
    if (this.regular || this.closed) return;
    this.regular = setTimeout(
      () => {
        this.regular = undefined;
        if (this.closed) return;
        this.report(false);
        if (this.senders.size > 0 || this.receivers.size > 0) this.scheduleRegular();
      },
      this.intervalMs * (0.5 + this.random()),
    );
    this.regular.unref();
  }

  /** Sends one round of reports now: for every stream, or (`newOnly`) those not reported yet. */
  report(newOnly = false): void {
    let since = Number.NEGATIVE_INFINITY;
    if (!newOnly) {
      since = this.beforePrevious;
      this.beforePrevious = this.previous;
      this.previous = performance.now();
    }
    for (const sender of this.senders) {
      if (newOnly && this.reported.has(sender)) continue;
      const report = sender.senderReport(since);
      if (report && this.send(report.transport, report.packets)) this.reported.add(sender);
    }
    for (const receiver of this.receivers) {
      const r = receiver as unknown as ReceiverInternals;
      if (r.stopped || (newOnly && this.reported.has(receiver))) continue;
      const rr = receiverReport(receiver);
      if (rr && this.send(r.dtlsTransport, [rr])) this.reported.add(receiver);
    }
  }

  private send(transport: RTCDtlsTransport | undefined, packets: RtcpPacket[]): boolean {
    if (transport?.state !== 'connected' || !transport.srtcp) return false;
    transport.sendRtcp(packets).catch(ignore);
    return true;
  }
}
