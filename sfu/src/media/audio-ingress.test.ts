import { afterEach, describe, expect, it } from 'vitest';
import {
  MediaStreamTrack,
  RTCPeerConnection,
  RtpHeader,
  RtpPacket,
  useOPUS,
  type RTCRtpTransceiver,
} from 'werift';
import { createWeriftEngine } from './werift.ts';
import type { MediaPeer, PublishedTrack } from './engine.ts';

/** A werift client answering the engine's offers directly (no signaling server). */
class Client {
  readonly pc = new RTCPeerConnection({ iceServers: [], codecs: { audio: [useOPUS()] } });
  readonly received: RtpPacket[] = [];
  constructor() {
    this.pc.onTrack.subscribe((track) => {
      track.onReceiveRtp.subscribe((rtp) => this.received.push(rtp.clone()));
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
    return publish;
  }
}

async function until(check: () => boolean, what: string, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

const closing: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  await Promise.all(closing.splice(0).map((c) => c()));
});

describe('forwarded audio through the ingress and the direct sender', () => {
  it('reaches a subscriber byte for byte, with marker, extension and a continuous sequence', async () => {
    const engine = createWeriftEngine();
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

    await until(() => published !== undefined, 'published track');
    if (!published) throw new Error('no track');
    published.gate = () => true;
    listener.subscribe(published);
    await listenerClient.answer(listener);
    await until(() => listenerClient.received.length >= 120, 'forwarded audio');
    clearInterval(timer);

    const got = listenerClient.received;
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
    expect(stats).toBeGreaterThan(published.stats.forwarded - 5);
  }, 60_000);
});
