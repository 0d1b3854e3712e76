import {
  MediaStreamTrack,
  RTCPeerConnection,
  RtpHeader,
  RtpPacket,
  useNACK,
  useOPUS,
  usePLI,
  useVP8,
} from 'werift';
import WebSocket from 'ws';
import type {
  MediaSource,
  OfferSignal,
  PermsSignal,
  RemoteTrack,
  SignalDown,
  SignalUp,
  VoiceParticipant,
} from '@echora/shared/voice/index';
import { sourceKind } from '@echora/shared/voice/index';

/** Received packets per remote track, with the arrival time of the first. */
export interface Inbound {
  track: RemoteTrack;
  packets: number;
  firstAt: number | undefined;
  /** Sequence numbers seen, to measure loss. */
  firstSeq: number | undefined;
  lastSeq: number | undefined;
}

/**
 * A voice client in Node on werift, for tests and benchmarks: it speaks the
 * SFU's signaling like the browser client and sends synthetic RTP (the SFU
 * never decodes, so any payload is forwarded as it is).
 */
export class WeriftVoiceClient {
  readonly pc = new RTCPeerConnection({
    iceServers: [],
    bundlePolicy: 'max-bundle',
    codecs: { audio: [useOPUS()], video: [useVP8({ rtcpFeedback: [useNACK(), usePLI()] })] },
  });
  readonly ws: WebSocket;
  readonly inbound = new Map<string, Inbound>();
  participants: VoiceParticipant[] = [];
  readonly errors: string[] = [];
  /** Every `perms` frame, oldest first. */
  readonly perms: PermsSignal[] = [];
  /** RTP packets written by `publish` so far. */
  sent = 0;
  closed: { code: number; reason: string } | undefined;
  private readonly local = new Map<MediaSource, MediaStreamTrack>();
  private tracks: RemoteTrack[] = [];
  private readonly waiters = new Set<() => void>();
  private timers: NodeJS.Timeout[] = [];
  private readonly opened: Promise<void>;

  constructor(url: string) {
    this.ws = new WebSocket(url);
    this.opened = new Promise((resolve, reject) => {
      this.ws.once('open', () => resolve());
      this.ws.once('error', reject);
    });
    this.ws.on('message', (data: Buffer) => {
      const signal = JSON.parse(data.toString('utf8')) as SignalDown;
      this.onSignal(signal).catch((error: unknown) => this.errors.push(String(error)));
    });
    this.ws.on('close', (code, reason) => {
      this.closed = { code, reason: reason.toString('utf8') };
      this.wake();
    });
    // werift fires onTrack again on each renegotiation: count each track once.
    const counted = new WeakSet<MediaStreamTrack>();
    this.pc.onTrack.subscribe((track) => {
      if (counted.has(track)) return;
      counted.add(track);
      track.onReceiveRtp.subscribe((rtp) => {
        const mid = this.midOf(track);
        const entry = mid === undefined ? undefined : this.inbound.get(mid);
        if (!entry) return;
        entry.packets++;
        entry.firstAt ??= performance.now();
        entry.firstSeq ??= rtp.header.sequenceNumber;
        entry.lastSeq = rtp.header.sequenceNumber;
        if (entry.packets === 1) this.wake();
      });
    });
  }

  private midOf(track: MediaStreamTrack): string | undefined {
    return (
      this.pc.getTransceivers().find((t) => t.receiver.tracks.includes(track))?.mid ?? undefined
    );
  }

  /** Sends `join` with the grant (and whatever else, to test bad handshakes). */
  async join(grant: string, extra: Record<string, unknown> = {}): Promise<void> {
    await this.opened;
    this.ws.send(JSON.stringify({ type: 'join', grant, ...extra }));
  }

  /** Sends any frame, valid or not. */
  async sendRaw(frame: unknown): Promise<void> {
    await this.opened;
    this.ws.send(typeof frame === 'string' ? frame : JSON.stringify(frame));
  }

  send(signal: SignalUp): void {
    this.ws.send(JSON.stringify(signal));
  }

  /** Asks to publish `source` and, once a slot is negotiated, sends packets every 20 ms. */
  publish(source: MediaSource): void {
    const track = new MediaStreamTrack({ kind: sourceKind[source] });
    this.local.set(source, track);
    this.send({ type: 'publish', source });
    const kind = sourceKind[source];
    let seq = Math.floor(Math.random() * 60000);
    let ts = Math.floor(Math.random() * 1e9);
    const payload = Buffer.alloc(kind === 'audio' ? 60 : 900, 1);
    const timer = setInterval(() => {
      seq = (seq + 1) & 0xffff;
      ts = (ts + (kind === 'audio' ? 960 : 1800)) >>> 0;
      const header = new RtpHeader({
        payloadType: 96,
        sequenceNumber: seq,
        timestamp: ts,
        marker: true,
      });
      track.writeRtp(new RtpPacket(header, payload));
      this.sent++;
    }, 20);
    this.timers.push(timer);
  }

  private async onSignal(signal: SignalDown): Promise<void> {
    if (signal.type === 'participants' || signal.type === 'joined') {
      this.participants = signal.participants;
    } else if (signal.type === 'perms') {
      this.perms.push(signal);
    } else if (signal.type === 'error') {
      this.errors.push(`${signal.kind}: ${signal.message}`);
    } else if (signal.type === 'offer') {
      await this.answer(signal);
    }
    this.wake();
  }

  private async answer(offer: OfferSignal): Promise<void> {
    await this.pc.setRemoteDescription({ type: 'offer', sdp: offer.sdp });
    for (const { mid, source } of offer.publish) {
      const transceiver = this.pc.getTransceivers().find((t) => t.mid === mid);
      const track = this.local.get(source);
      if (!transceiver || !track) continue;
      transceiver.setDirection('sendonly');
      if (transceiver.sender.track !== track) await transceiver.sender.replaceTrack(track);
    }
    this.tracks = offer.tracks;
    for (const track of offer.tracks) {
      const known = this.inbound.get(track.mid);
      if (!known || known.track.userId !== track.userId || known.track.source !== track.source)
        this.inbound.set(track.mid, {
          track,
          packets: 0,
          firstAt: undefined,
          firstSeq: undefined,
          lastSeq: undefined,
        });
    }
    const answer = await this.pc.createAnswer();
    await this.pc.setLocalDescription(answer);
    this.send({ type: 'answer', sdp: this.pc.localDescription?.sdp ?? answer.sdp });
  }

  /** Packets received so far from `userId`'s `source`. */
  received(userId: string, source: MediaSource = 'mic'): number {
    let n = 0;
    for (const entry of this.inbound.values())
      if (entry.track.userId === userId && entry.track.source === source) n += entry.packets;
    return n;
  }

  /** Which tracks the SFU says it sends now. */
  get remoteTracks(): readonly RemoteTrack[] {
    return this.tracks;
  }

  /** Resolves when `check` holds, re-checked on every event and every 50 ms. */
  async until(check: () => boolean, timeoutMs = 10_000, what = 'condition'): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!check()) {
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, 50);
        this.waiters.add(() => {
          clearTimeout(t);
          resolve();
        });
      });
      this.waiters.clear();
    }
  }

  private wake(): void {
    for (const w of this.waiters) w();
  }

  async close(): Promise<void> {
    for (const t of this.timers) clearInterval(t);
    this.timers = [];
    if (this.ws.readyState === WebSocket.OPEN) this.ws.close();
    await this.pc.close();
  }
}
