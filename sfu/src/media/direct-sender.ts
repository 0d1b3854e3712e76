import type { Socket } from 'node:dgram';
import { isIP } from 'node:net';
import {
  RtcpSenderInfo,
  RtcpSourceDescriptionPacket,
  RtcpSrPacket,
  RtpHeader,
  SourceDescriptionChunk,
  SourceDescriptionItem,
  type RTCDtlsTransport,
  type RTCRtpSender,
  type RtcpPacket,
  type RtpPacket,
} from 'werift';
import type { RawRtp } from './audio-ingress.ts';
import type { ReportingSender, RtcpReporter } from './rtcp-reporter.ts';
import { skipIpLiteralLookup } from './udp-lookup.ts';
import { sendDatagram } from './udp-send.ts';
import {
  encryptRtp,
  SRTP_AEAD_AES_128_GCM,
  type RocState,
  type SrtpContextInternals,
} from './srtp-gcm.ts';

/**
 * The fields of werift's RTCRtpSender that its sender reports (RTCP SR),
 * their RTT measurement and getStats read. They are private in werift's
 * typings; the direct path keeps them as werift's own `sendRtp` does, except
 * `ntpTimestamp`, which only werift's SR loop reads (the reporter computes
 * the NTP time of the last packet when it builds the SR).
 */
interface SenderCounters {
  rtpTimestamp: number;
  octetCount: number;
  packetCount: number;
  headerBytesSent: number;
  sequenceNumber: number | undefined;
  timestamp: number | undefined;
  headerExtensions: unknown[];
  cname: string | undefined;
  /** The middle 32 bits of the last SR's NTP time, and when it went (Unix seconds): RTT from RRs. */
  lastSRtimestamp: number | undefined;
  lastSentSRTimestamp: number | undefined;
}

/** werift's SrtpSession as the direct path uses it. */
interface SrtpSessionInternals {
  localContext: SrtpContextInternals;
  encrypt(payload: Buffer, header: RtpHeader): Buffer;
}

/** The transport fields werift's `RTCDtlsTransport.sendRtp` updates. */
interface TransportCounters {
  bytesSent: number;
  packetsSent: number;
}

/** Milliseconds between 1900-01-01 (NTP's epoch) and 1970-01-01. */
const NTP_EPOCH_OFFSET_MS = 2_208_988_800_000;

/** A `performance.now()` time as a 64-bit NTP timestamp (seconds . 2^-32 fractions). */
export function ntpAt(performanceMs: number): bigint {
  const ms = performance.timeOrigin + performanceMs + NTP_EPOCH_OFFSET_MS;
  const seconds = Math.floor(ms / 1000);
  const fraction = Math.floor(((ms - seconds * 1000) / 1000) * 0x1_0000_0000);
  return (BigInt(seconds) << 32n) | BigInt(fraction);
}

/** The wall clock as a 64-bit NTP timestamp. */
export function ntpNow(): bigint {
  return ntpAt(performance.now());
}

/** The middle 32 bits of an NTP timestamp (RFC 3550 §6.4.1's LSR). */
export function compactNtp(ntp: bigint): number {
  return Number((ntp >> 16n) & 0xffff_ffffn);
}

const ignore = (): void => {};

/** werift's ICE pieces the direct path writes through; private in its typings. */
interface UdpTransportInternals {
  type: string;
  closed: boolean;
  socket: Socket;
}

interface CandidatePairInternals {
  protocol: { type: string; transport?: UdpTransportInternals };
  remoteAddr: [string, number];
  packetsSent: number;
  bytesSent: number;
}

interface ConnectionInternals {
  nominated: CandidatePairInternals | undefined;
  canSendApplicationData(): boolean;
  send(data: Buffer): Promise<void>;
}

/** The header bytes and payload of a werift packet (padding dropped with its flag). */
export function rawFromPacket(rtp: RtpPacket): RawRtp {
  const header = rtp.header.serialize(rtp.header.serializeSize);
  header[0] = (header[0] ?? 0) & ~0x20;
  return {
    header,
    payload: rtp.payload,
    sequenceNumber: rtp.header.sequenceNumber,
    timestamp: rtp.header.timestamp,
  };
}

/**
 * Sends forwarded audio straight through a werift sender's SRTP context and
 * ICE socket, bypassing `MediaStreamTrack.writeRtp` → `RTCRtpSender.sendRtp`:
 * that path copies the header per packet, awaits three promise layers, keeps a
 * NACK cache audio never uses and formats the NTP time through strings. The
 * publisher's header bytes are copied and patched (payload type, sequence
 * number, timestamp, SSRC) and, with AES-GCM, sealed without building an
 * RtpHeader; the datagram goes to the nominated pair's UDP socket without
 * the ICE connection's three async layers.
 *
 * Only for senders that negotiated no header extensions of their own (werift
 * then passes the packet's extensions through, which this does too).
 */
export class DirectRtpSender implements ReportingSender {
  private readonly counters: SenderCounters;
  /** `performance.now()` when the last packet went; -Infinity before the first. */
  private lastSendMs = Number.NEGATIVE_INFINITY;
  /** The header of the packet being sent, reused while its length stays the same. */
  private header = Buffer.alloc(0);
  /** The pair the socket shortcut was last checked for, and whether it applies. */
  private checkedPair: CandidatePairInternals | undefined;
  private pairDirect = false;
  /** The SRTP context last sealed with and its rollover state for this sender's SSRC. */
  private rocContext: SrtpContextInternals | undefined;
  private rocState: RocState | undefined;

  /** `reporter` sends this sender's RTCP SRs (werift's own SR loop is never started). */
  constructor(
    private readonly sender: RTCRtpSender,
    private readonly reporter: RtcpReporter,
  ) {
    this.counters = sender as unknown as SenderCounters;
    reporter.addSender(this);
  }

  /** Whether the direct path reproduces what werift's sender would send. */
  get usable(): boolean {
    return this.counters.headerExtensions.length === 0;
  }

  /** Sends `rtp` with the given sequence number and timestamp; false if not connected yet. */
  send(rtp: RawRtp, sequenceNumber: number, timestamp: number): boolean {
    const { sender } = this;
    const transport = sender.dtlsTransport;
    const codec = sender.codec;
    const srtp = transport.srtp as unknown as SrtpSessionInternals | undefined;
    if (transport.state !== 'connected' || !codec || !srtp) return false;
    let header = this.header;
    if (header.length !== rtp.header.length) header = this.header = Buffer.alloc(rtp.header.length);
    rtp.header.copy(header, 0);
    header[1] = ((header[1] ?? 0) & 0x80) | (codec.payloadType & 0x7f);
    header.writeUInt16BE(sequenceNumber, 2);
    header.writeUInt32BE(timestamp >>> 0, 4);
    header.writeUInt32BE(sender.ssrc >>> 0, 8);
    const context = srtp.localContext;
    // Both copy the header into the packet they return, so it can be reused.
    const packet =
      context.profile === SRTP_AEAD_AES_128_GCM
        ? encryptRtp(context, header, rtp.payload, this.rollover(context))
        : srtp.encrypt(rtp.payload, RtpHeader.deSerialize(header));
    const counters = this.counters;
    counters.sequenceNumber = sequenceNumber;
    counters.timestamp = timestamp;
    counters.rtpTimestamp = timestamp;
    counters.octetCount += rtp.payload.length;
    counters.headerBytesSent += header.length;
    counters.packetCount = (counters.packetCount + 1) >>> 0;
    const totals = transport as unknown as TransportCounters;
    totals.bytesSent += packet.length;
    totals.packetsSent++;
    this.write(transport.iceTransport.connection as unknown as ConnectionInternals, packet);
    const first = this.lastSendMs === Number.NEGATIVE_INFINITY;
    this.lastSendMs = performance.now();
    if (first) this.reporter.soon();
    return true;
  }

  /** The context's rollover state for this sender's SSRC (a new context after a DTLS restart). */
  private rollover(context: SrtpContextInternals): RocState {
    const ssrc = this.sender.ssrc >>> 0;
    let state = this.rocState;
    if (this.rocContext !== context || state?.ssrc !== ssrc) {
      state = this.rocState = context.getSrtpSsrcState(ssrc);
      this.rocContext = context;
    }
    return state;
  }

  /**
   * The SR werift's loop would send (with its SDES CNAME), if a packet went
   * after `sinceMs`: the NTP time and RTP timestamp of the last packet sent,
   * and the packet and payload octet counts. Notes the SR's time as werift
   * does, for the RTT it computes from the receiver's RR.
   */
  senderReport(
    sinceMs: number,
  ): { transport: RTCDtlsTransport; packets: RtcpPacket[] } | undefined {
    if (!(this.lastSendMs > sinceMs)) return undefined;
    const { sender, counters } = this;
    const ntpTimestamp = ntpAt(this.lastSendMs);
    const packets: RtcpPacket[] = [
      new RtcpSrPacket({
        ssrc: sender.ssrc,
        senderInfo: new RtcpSenderInfo({
          ntpTimestamp,
          rtpTimestamp: counters.rtpTimestamp,
          packetCount: counters.packetCount,
          octetCount: counters.octetCount,
        }),
      }),
    ];
    counters.lastSRtimestamp = compactNtp(ntpTimestamp);
    counters.lastSentSRTimestamp = Date.now() / 1000;
    if (counters.cname)
      packets.push(
        new RtcpSourceDescriptionPacket({
          chunks: [
            new SourceDescriptionChunk({
              source: sender.ssrc,
              items: [new SourceDescriptionItem({ type: 1, text: counters.cname })],
            }),
          ],
        }),
      );
    return { transport: sender.dtlsTransport, packets };
  }

  /** What `Connection.send` does, on the socket itself when the pair is plain UDP to an IP. */
  private write(connection: ConnectionInternals, packet: Buffer): void {
    const pair = connection.nominated;
    if (!pair || !connection.canSendApplicationData()) return;
    if (pair !== this.checkedPair) {
      this.checkedPair = pair;
      this.pairDirect =
        pair.protocol.type === 'stun' &&
        pair.protocol.transport?.type === 'udp' &&
        isIP(pair.remoteAddr[0]) !== 0;
      const socket = pair.protocol.transport?.socket;
      if (this.pairDirect && socket) skipIpLiteralLookup(socket);
    }
    const udp = pair.protocol.transport;
    if (!this.pairDirect || !udp) {
      connection.send(packet).catch(ignore);
      return;
    }
    if (udp.closed) return;
    try {
      sendDatagram(udp.socket, packet, pair.remoteAddr[1], pair.remoteAddr[0]);
    } catch {
      return; // The socket closed under werift (it would swallow the error too).
    }
    pair.packetsSent++;
    pair.bytesSent += packet.length;
  }
}
