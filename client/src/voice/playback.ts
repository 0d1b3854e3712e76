import type { RemoteMedia } from './peer.ts';

type SinkAudio = HTMLAudioElement & { setSinkId?: (id: string) => Promise<void> };

/**
 * One `<audio>` element per remote voice. Playing the track is what makes
 * the browser decode it; deafen mutes the elements (the SFU keeps sending, so
 * undeafening is instant).
 */
export class RemoteAudio {
  private readonly elements = new Map<string, { track: MediaStreamTrack; el: SinkAudio }>();
  private muted = false;
  private sinkId: string | undefined;

  /** Matches the elements to `remote` (audio tracks only). */
  sync(remote: readonly RemoteMedia[]): void {
    const wanted = new Map(remote.map((r) => [r.mid, r.track]));
    for (const [mid, entry] of this.elements)
      if (wanted.get(mid) !== entry.track) {
        entry.el.srcObject = null;
        this.elements.delete(mid);
      }
    for (const [mid, track] of wanted) {
      if (this.elements.has(mid)) continue;
      const el: SinkAudio = new Audio();
      el.autoplay = true;
      el.muted = this.muted;
      el.srcObject = new MediaStream([track]);
      if (this.sinkId && el.setSinkId) el.setSinkId(this.sinkId).catch(() => undefined);
      el.play().catch(() => {
        // Autoplay refused until a user gesture; joining was one, so this is rare.
      });
      this.elements.set(mid, { track, el });
    }
  }

  setMuted(muted: boolean): void {
    this.muted = muted;
    for (const { el } of this.elements.values()) el.muted = muted;
  }

  async setSink(deviceId: string): Promise<void> {
    this.sinkId = deviceId;
    await Promise.all(
      [...this.elements.values()].map(({ el }) => el.setSinkId?.(deviceId) ?? Promise.resolve()),
    );
  }
}
