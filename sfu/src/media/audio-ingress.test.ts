import { afterEach, describe, expect, it } from 'vitest';
import { RtpHeader, RtpPacket } from 'werift';
import { createWeriftEngine } from './werift.ts';
import { speakerAndListener, until } from '../testing/direct-peers.ts';

const closing: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  await Promise.all(closing.splice(0).map((c) => c()));
});

describe('forwarded audio through the ingress and the direct sender', () => {
  it('reaches a subscriber byte for byte, with marker, extension and a continuous sequence', async () => {
    const engine = createWeriftEngine();
    const { speaker, listenerClient, mic, listen } = await speakerAndListener(engine, closing);

    let seq = 65_500; // crosses the 16-bit wrap on the way
    let sent = 0;
    const payloadOf = (n: number) => Buffer.from(`opus frame ${n} `.repeat(1 + (n % 5)));
    const timer = setInterval(() => {
      const header = new RtpHeader({
        payloadType: 96,
        sequenceNumber: seq,
        timestamp: seq * 960,
        marker: sent % 2 === 0,
        extension: true,
        extensionProfile: 0xbede,
        extensions: [{ id: 1, payload: Buffer.from([sent & 0x7f]) }],
      });
      mic.writeRtp(new RtpPacket(header, payloadOf(sent)));
      seq = (seq + 1) & 0xffff;
      sent++;
    }, 5);
    closing.push(() => Promise.resolve(clearInterval(timer)));

    const track = await listen();
    await until(() => listenerClient.received.length >= 120, 'forwarded audio');
    clearInterval(timer);

    const got = listenerClient.received.map((r) => r.rtp);
    // Consecutive sequence numbers from whatever packet came first, over the wrap.
    for (let i = 1; i < got.length; i++)
      expect(got[i]?.header.sequenceNumber).toBe(
        ((got[0]?.header.sequenceNumber ?? 0) + i) & 0xffff,
      );
    // Each payload is the one sent with the same marker and extension byte.
    for (const rtp of got) {
      const n = rtp.header.extensions[0]?.payload[0] ?? -1;
      const matches = [n, n + 128, n + 256].some(
        (k) => k < sent && payloadOf(k).equals(rtp.payload) && (k % 2 === 0) === rtp.header.marker,
      );
      expect(matches).toBe(true);
    }
    const stats = (speaker as unknown as { ingressPackets: number }).ingressPackets;
    // All but the stream's first packet (werift's path sets up its statistics) came the short way.
    expect(stats).toBeGreaterThan(track.stats.forwarded - 5);
  }, 60_000);
});
