import type { RTCDtlsTransport, RTCRtpReceiver } from 'werift';
import type { Socket } from 'node:dgram';
import { skipIpLiteralLookup } from './udp-lookup.ts';
import { decryptRtp, SRTP_AEAD_AES_128_GCM, type SrtpContextInternals } from './srtp-gcm.ts';

/**
 * A decrypted RTP packet as the SFU forwards it: the header bytes as the
 * publisher sent them, the payload (with any padding), and the two header
 * fields forwarding rewrites.
 */
export interface RawRtp {
  header: Buffer;
  payload: Buffer;
  sequenceNumber: number;
  timestamp: number;
}

/** werift's UDP socket wrapper under a STUN (ICE host) protocol; fields private in its typings. */
interface UdpTransportInternals {
  type: string;
  closed: boolean;
  socket: Socket;
  onData: (data: Buffer, addr: [string, number]) => void;
}

interface ProtocolInternals {
  type: string;
  transport?: UdpTransportInternals;
}

interface CandidatePairInternals {
  protocol: ProtocolInternals;
  packetsReceived: number;
  bytesReceived: number;
}

/** werift's ICE Connection, as far as the ingress reads it. */
interface ConnectionInternals {
  protocols: ProtocolInternals[];
  nominated: CandidatePairInternals | undefined;
}

/** The receiver fields werift's `handleRTP` reads and writes; private in its typings. */
interface ReceiverInternals {
  stopped: boolean;
  codecs: Record<number, { name: string } | undefined>;
  receiverTWCC: unknown;
  remoteStreams: Record<number, { add(packet: StatsPacket): void } | undefined>;
}

/** What werift's StreamStatistics.add reads of a packet. */
interface StatsPacket {
  header: { sequenceNumber: number; timestamp: number; serializeSize: number };
  payload: { length: number };
}

interface IngressStream {
  receiver: ReceiverInternals;
  deliver: (rtp: RawRtp) => void;
  /** The receiver's codec table and payload type last checked, and whether that is Opus. */
  codecs: ReceiverInternals['codecs'] | undefined;
  payloadType: number;
  opus: boolean;
}

/** RFC 5761: RTP payload types 64–95 would collide with RTCP packet types 192–223. */
const isRtcpType = (secondByte: number): boolean => {
  const type = secondByte & 0x7f;
  return type >= 64 && type <= 95;
};

/**
 * The receive path for published audio, beside werift's: an SRTP packet from
 * a registered SSRC is taken off the ICE socket, decrypted straight into a
 * header view and a payload and handed to the published track. werift's own
 * path (STUN demux, two event emitters each building a promise per packet,
 * the DTLS demux, SRTP into an RtpHeader, a second full RtpPacket parse,
 * header extension parsing, receiver bookkeeping, a clone, another emitter)
 * still takes everything else: STUN, DTLS, RTCP, video, other SSRCs, RED,
 * and every stream's first packet (werift then sets up its receiver
 * statistics and receiver reports, which the ingress keeps updating).
 */
export class AudioIngress {
  /** Packets this path took (for tests and benchmarks). */
  packets = 0;
  private readonly streams = new Map<number, IngressStream>();
  private readonly connection: ConnectionInternals;
  private installed = false;
  /** One object reused for werift's statistics (it keeps no reference). */
  private readonly statsPacket: StatsPacket = {
    header: { sequenceNumber: 0, timestamp: 0, serializeSize: 0 },
    payload: { length: 0 },
  };

  constructor(private readonly dtls: RTCDtlsTransport) {
    this.connection = dtls.iceTransport.connection as unknown as ConnectionInternals;
  }

  /** Routes RTP from `ssrc` to `deliver` (once installed). */
  add(ssrc: number, receiver: RTCRtpReceiver, deliver: (rtp: RawRtp) => void): void {
    this.streams.set(ssrc >>> 0, {
      receiver: receiver as unknown as ReceiverInternals,
      deliver,
      codecs: undefined,
      payloadType: -1,
      opus: false,
    });
  }

  remove(ssrc: number): void {
    this.streams.delete(ssrc >>> 0);
  }

  /**
   * Puts the ingress in front of the ICE sockets' receive handlers. Sockets
   * opened later (an ICE restart) stay on werift's path alone.
   */
  install(): void {
    if (this.installed) return;
    this.installed = true;
    for (const protocol of this.connection.protocols) {
      const transport = protocol.transport;
      if (protocol.type !== 'stun' || transport?.type !== 'udp') continue;
      // Its replies (STUN, DTLS, RTCP) and the forwarded audio go to IP literals.
      skipIpLiteralLookup(transport.socket);
      const next = transport.onData;
      transport.onData = (data, addr) => {
        if (!this.take(data, protocol)) next(data, addr);
      };
    }
  }

  /** Whether the packet was handled here (forwarded or dropped) rather than left to werift. */
  private take(data: Buffer, protocol: ProtocolInternals): boolean {
    // RFC 7983: RTP and RTCP start with 128–191; STUN with 0–3, DTLS with 20–63.
    if (data.length < 28 || (data[0] ?? 0) >> 6 !== 2) return false;
    const second = data[1] ?? 0;
    if (isRtcpType(second)) return false;
    const ssrc = data.readUInt32BE(8);
    const stream = this.streams.get(ssrc);
    if (!stream) return false;
    const { receiver } = stream;
    const statistics = receiver.remoteStreams[ssrc];
    // werift's path sets up what it needs on a first packet, and handles the rest.
    if (!statistics || receiver.stopped || receiver.receiverTWCC) return false;
    const payloadType = second & 0x7f;
    if (stream.codecs !== receiver.codecs || stream.payloadType !== payloadType) {
      stream.codecs = receiver.codecs;
      stream.payloadType = payloadType;
      stream.opus = receiver.codecs[payloadType]?.name.toLowerCase() === 'opus';
    }
    if (!stream.opus) return false;
    const srtp = this.dtls.srtp as unknown as { remoteContext: SrtpContextInternals } | undefined;
    const context = srtp?.remoteContext;
    if (this.dtls.state !== 'connected' || context?.profile !== SRTP_AEAD_AES_128_GCM) return false;

    // The counters werift's ICE connection and DTLS transport keep.
    const pair = this.connection.nominated;
    if (pair?.protocol === protocol) {
      pair.packetsReceived++;
      pair.bytesReceived += data.length;
    }
    const totals = this.dtls as unknown as { bytesReceived: number; packetsReceived: number };
    totals.bytesReceived += data.length;
    totals.packetsReceived++;

    const plain = decryptRtp(context, data);
    if (!plain) return true; // werift drops an unauthenticated packet too
    this.packets++;
    const sequenceNumber = data.readUInt16BE(2);
    const timestamp = data.readUInt32BE(4);
    const stats = this.statsPacket;
    stats.header.sequenceNumber = sequenceNumber;
    stats.header.timestamp = timestamp;
    stats.header.serializeSize = plain.header.length;
    stats.payload.length = plain.payload.length;
    statistics.add(stats);
    stream.deliver({ header: plain.header, payload: plain.payload, sequenceNumber, timestamp });
    return true;
  }
}
