import { afterEach, describe, expect, it } from 'vitest';
import {
  MediaStreamTrack,
  RTCPeerConnection,
  RtcpRrPacket,
  RtcpSrPacket,
  RtpHeader,
  RtpPacket,
  useOPUS,
  type RTCRtpTransceiver,
  type RtcpPacket,
} from 'werift';
import { createWeriftEngine } from './werift.ts';
import type { MediaPeer, PublishedTrack } from './engine.ts';

/** A werift client answering the engine's offers directly (no signaling server). */
class Client {
  readonly pc = new RTCPeerConnection({ iceServers: [], codecs: { audio: [useOPUS()] } });
  /** Each RTP packet received, with the wall-clock time (Unix ms) it arrived. */
  readonly received: { rtp: RtpPacket; at: number }[] = [];
  /** Each RTCP packet received, with its arrival time and how many RTP packets had arrived. */
  readonly rtcp: { packet: RtcpPacket; at: number; receivedBefore: number }[] = [];
  constructor() {
    this.pc.onTrack.subscribe((track) => {
      track.onReceiveRtp.subscribe((rtp) =>
        this.received.push({ rtp: rtp.clone(), at: performance.timeOrigin + performance.now() }),
      );
    });
  }

  async answer(peer: MediaPeer): Promise<RTCRtpTransceiver[]> {
    const offer = await peer.createOffer();
    await this.pc.setRemoteDescription({ type: 'offer', sdp: offer.sdp });
    const publish = offer.publish.flatMap(({ mid }) =>
      this.pc.getTransceivers().filter((t) => t.mid === mid),
    );
    for (const t of publish) t.setDirection('sendonly');
    await this.pc.setLocalDescription(await this.pc.createAnswer());
    await peer.applyAnswer(this.pc.localDescription?.sdp ?? '');
    this.pc.dtlsTransports[0]?.onRtcp.subscribe((packet) =>
      this.rtcp.push({
        packet,
        at: performance.timeOrigin + performance.now(),
        receivedBefore: this.received.length,
      }),
    );
    return publish;
  }
}

async function until(check: () => boolean, what: string, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** An NTP timestamp as Unix milliseconds. */
function ntpToUnixMs(ntp: bigint): number {
  const seconds = Number(ntp >> 32n);
  const fraction = Number(ntp & 0xffff_ffffn) / 0x1_0000_0000;
  return (seconds + fraction) * 1000 - 2_208_988_800_000;
}

const closing: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  await Promise.all(closing.splice(0).map((c) => c()));
});

const INTERVAL_MS = 4000;

describe('RTCP for forwarded audio', () => {
  it('sends SRs with the last packet’s times and counts, and RRs to the publisher, at the audio interval', async () => {
    const engine = createWeriftEngine({ audioRtcpIntervalMs: INTERVAL_MS });
    let published: PublishedTrack | undefined;
    const noop = () => undefined;
    const speaker = engine.createPeer('speaker', {
      onTrack: (t) => (published = t),
      onConnectionState: noop,
    });
    const listener = engine.createPeer('listener', { onTrack: noop, onConnectionState: noop });
    const [speakerClient, listenerClient] = [new Client(), new Client()];
    closing.push(
      () => speaker.close(),
      () => listener.close(),
      () => speakerClient.pc.close(),
      () => listenerClient.pc.close(),
    );

    speaker.receive('mic');
    const [slot] = await speakerClient.answer(speaker);
    const mic = new MediaStreamTrack({ kind: 'audio' });
    await slot?.sender.replaceTrack(mic);
    await until(() => speakerClient.pc.connectionState === 'connected', 'speaker connected');

    let seq = 65_530; // wraps at once: the later RRs' highest sequence is the extended one
    let cycles = 0;
    const timer = setInterval(() => {
      const header = new RtpHeader({ payloadType: 96, sequenceNumber: seq, timestamp: seq * 960 });
      mic.writeRtp(new RtpPacket(header, Buffer.alloc(20 + (seq % 7), 1)));
      seq = (seq + 1) & 0xffff;
      if (seq === 0) cycles += 0x1_0000;
    }, 20);
    closing.push(() => Promise.resolve(clearInterval(timer)));

    await until(() => published !== undefined, 'published track');
    if (!published) throw new Error('no track');
    published.gate = () => true;
    listener.subscribe(published);
    await listenerClient.answer(listener);

    const srs = () =>
      listenerClient.rtcp.filter(
        (r): r is typeof r & { packet: RtcpSrPacket } => r.packet instanceof RtcpSrPacket,
      );
    const speakerSsrc = slot?.sender.ssrc ?? -1;
    const rrs = () =>
      speakerClient.rtcp.flatMap(({ packet, at }) =>
        packet instanceof RtcpRrPacket
          ? packet.reports.filter((r) => r.ssrc === speakerSsrc).map((report) => ({ report, at }))
          : [],
      );
    await until(() => srs().length >= 3 && rrs().length >= 3, 'three SRs and three RRs');
    const extendedSent = cycles + ((seq - 1) & 0xffff);
    clearInterval(timer);

    // Reports after a stream's first one come at 0.5–1.5 × the interval (werift's own: 0.5–1.5 s).
    // SRs are timed by their NTP field (the last packet, at most a frame before the report);
    // RRs by their arrival, which this process's event loop may delay a little.
    const gaps = (times: number[]) => times.slice(2).map((t, i) => t - (times[i + 1] ?? 0));
    const srTimes = srs().map((r) => ntpToUnixMs(r.packet.senderInfo.ntpTimestamp));
    for (const gap of gaps(srTimes)) expect(gap).toBeGreaterThan(INTERVAL_MS / 2 - 50);
    for (const gap of gaps(rrs().map((r) => r.at)))
      expect(gap).toBeGreaterThan(INTERVAL_MS / 2 - 300);

    // Each SR describes the last packet sent before it: its RTP timestamp and (NTP) send time.
    const ssrc = listenerClient.received[0]?.rtp.header.ssrc;
    const list = srs();
    for (const { packet, receivedBefore } of list) {
      expect(packet.ssrc).toBe(ssrc);
      const last = listenerClient.received[receivedBefore - 1];
      if (!last) throw new Error('an SR before any packet');
      expect(packet.senderInfo.rtpTimestamp).toBe(last.rtp.header.timestamp);
      expect(Math.abs(ntpToUnixMs(packet.senderInfo.ntpTimestamp) - last.at)).toBeLessThan(250);
    }
    // Between two SRs, the counts grow by the packets and payload bytes received in between.
    for (let i = 1; i < list.length; i++) {
      const [a, b] = [list[i - 1], list[i]];
      if (!a || !b) continue;
      const between = listenerClient.received.slice(a.receivedBefore, b.receivedBefore);
      expect(b.packet.senderInfo.packetCount - a.packet.senderInfo.packetCount).toBe(
        between.length,
      );
      expect(b.packet.senderInfo.octetCount - a.packet.senderInfo.octetCount).toBe(
        between.reduce((n, r) => n + r.rtp.payload.length, 0),
      );
    }

    // The RRs to the publisher: nothing lost, the extended highest sequence, and (once the
    // publisher's own SR arrived) the LSR echoed.
    for (const { report } of rrs()) {
      expect(report.packetsLost).toBe(0);
      expect(report.fractionLost).toBe(0);
      expect(report.highestSequence).toBeLessThanOrEqual(extendedSent);
    }
    expect(rrs().at(-1)?.report.highestSequence).toBeGreaterThan(0xffff);
    expect(rrs().at(-1)?.report.lsr).not.toBe(0);
  }, 60_000);
});
