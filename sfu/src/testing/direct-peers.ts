import { MediaStreamTrack, RTCPeerConnection, useOPUS, type RTCRtpTransceiver } from 'werift';
import type { RtcpPacket, RtpPacket } from 'werift';
import type { MediaEngine, MediaPeer, PublishedTrack } from '../media/engine.ts';

/** A werift client answering the engine's offers directly (no signaling server). Tests only. */
export class DirectClient {
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

/** Polls `check` every 20 ms until it holds; throws naming `what` after `timeoutMs`. */
export async function until(check: () => boolean, what: string, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/**
 * A speaker peer whose client publishes a microphone track (connected), and
 * a listener peer with its client (not yet subscribed). `closing` receives
 * what to close after the test.
 */
export async function speakerAndListener(engine: MediaEngine, closing: (() => Promise<unknown>)[]) {
  let published: PublishedTrack | undefined;
  const noop = () => undefined;
  const speaker = engine.createPeer('speaker', {
    onTrack: (t) => (published = t),
    onConnectionState: noop,
  });
  const listener = engine.createPeer('listener', { onTrack: noop, onConnectionState: noop });
  const [speakerClient, listenerClient] = [new DirectClient(), new DirectClient()];
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
  return {
    speaker,
    listener,
    speakerClient,
    listenerClient,
    slot,
    mic,
    /** Once the speaker's track is published: the listener subscribes (let through) and answers. */
    listen: async (): Promise<PublishedTrack> => {
      await until(() => published !== undefined, 'published track');
      const track = published;
      if (!track) throw new Error('no track');
      track.gate = () => true;
      listener.subscribe(track);
      await listenerClient.answer(listener);
      return track;
    },
  };
}
