import { RtpHeader, type RTCRtpSender, type RtpPacket } from 'werift';

/**
 * The fields of werift's RTCRtpSender that its sender reports (RTCP SR) and
 * getStats read. They are private in werift's typings; the direct path keeps
 * them as werift's own `sendRtp` does.
 */
interface SenderCounters {
  ntpTimestamp: bigint;
  rtpTimestamp: number;
  octetCount: number;
  packetCount: number;
  headerBytesSent: number;
  sequenceNumber: number | undefined;
  timestamp: number | undefined;
  headerExtensions: unknown[];
}

/** The transport fields werift's `RTCDtlsTransport.sendRtp` updates. */
interface TransportCounters {
  bytesSent: number;
  packetsSent: number;
}

/** Milliseconds between 1900-01-01 (NTP's epoch) and 1970-01-01. */
const NTP_EPOCH_OFFSET_MS = 2_208_988_800_000;

/** The wall clock as a 64-bit NTP timestamp (seconds . 2^-32 fractions). */
export function ntpNow(): bigint {
  const ms = performance.timeOrigin + performance.now() + NTP_EPOCH_OFFSET_MS;
  const seconds = Math.floor(ms / 1000);
  const fraction = Math.floor(((ms - seconds * 1000) / 1000) * 0x1_0000_0000);
  return (BigInt(seconds) << 32n) | BigInt(fraction);
}

const ignore = (): void => {};

/**
 * Sends forwarded audio straight through a werift sender's SRTP context and
 * ICE connection, bypassing `MediaStreamTrack.writeRtp` → `RTCRtpSender.sendRtp`:
 * that path copies the header per packet, awaits three promise layers, keeps a
 * NACK cache audio never uses and formats the NTP time through strings. One
 * header object per subscriber is rewritten in place instead (the SRTP context
 * serializes it at once and keeps no reference).
 *
 * Only for senders that negotiated no header extensions of their own (werift
 * then passes the packet's extensions through, which this does too).
 */
export class DirectRtpSender {
  private readonly header = new RtpHeader();
  private readonly counters: SenderCounters;
  private rtcpStarted = false;

  constructor(private readonly sender: RTCRtpSender) {
    this.counters = sender as unknown as SenderCounters;
  }

  /** Whether the direct path reproduces what werift's sender would send. */
  get usable(): boolean {
    return this.counters.headerExtensions.length === 0;
  }

  /** Sends `rtp` with the given sequence number and timestamp; false if not connected yet. */
  send(rtp: RtpPacket, sequenceNumber: number, timestamp: number): boolean {
    const { sender } = this;
    const transport = sender.dtlsTransport;
    const codec = sender.codec;
    if (transport.state !== 'connected' || !codec || !transport.srtp) return false;
    const header = Object.assign(this.header, rtp.header);
    header.ssrc = sender.ssrc;
    header.payloadType = codec.payloadType;
    header.sequenceNumber = sequenceNumber;
    header.timestamp = timestamp;
    const packet = transport.srtp.encrypt(rtp.payload, header);
    const counters = this.counters;
    counters.sequenceNumber = sequenceNumber;
    counters.timestamp = timestamp;
    counters.ntpTimestamp = ntpNow();
    counters.rtpTimestamp = timestamp;
    counters.octetCount += rtp.payload.length;
    counters.headerBytesSent += header.serializeSize;
    counters.packetCount = (counters.packetCount + 1) >>> 0;
    const totals = transport as unknown as TransportCounters;
    totals.bytesSent += packet.length;
    totals.packetsSent++;
    transport.iceTransport.connection.send(packet).catch(ignore);
    if (!this.rtcpStarted) {
      this.rtcpStarted = true;
      sender.runRtcp().catch(ignore);
    }
    return true;
  }
}
