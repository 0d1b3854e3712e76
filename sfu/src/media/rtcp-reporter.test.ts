import { afterEach, describe, expect, it } from 'vitest';
import { RtcpRrPacket, RtcpSrPacket, RtpHeader, RtpPacket } from 'werift';
import { createWeriftEngine } from './werift.ts';
import { speakerAndListener, until } from '../testing/direct-peers.ts';

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
    const { speakerClient, listenerClient, slot, mic, listen } = await speakerAndListener(
      engine,
      closing,
    );

    let seq = 65_530; // wraps at once: the later RRs' highest sequence is the extended one
    let cycles = 0;
    const timer = setInterval(() => {
      const header = new RtpHeader({ payloadType: 96, sequenceNumber: seq, timestamp: seq * 960 });
      mic.writeRtp(new RtpPacket(header, Buffer.alloc(20 + (seq % 7), 1)));
      seq = (seq + 1) & 0xffff;
      if (seq === 0) cycles += 0x1_0000;
    }, 20);
    closing.push(() => Promise.resolve(clearInterval(timer)));

    await listen();

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
