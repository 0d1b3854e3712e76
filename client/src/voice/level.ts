/** Level (0-1 RMS) above which the microphone counts as speaking. */
const SPEAKING_THRESHOLD = 0.02;
/** Speaking ends only after this much quiet, so the ring does not flicker between words. */
const HANGOVER_MS = 400;
const POLL_MS = 60;

/**
 * Watches a microphone track through WebAudio and reports speaking on/off
 * (with a hangover) and the current level for a meter.
 */
export class SpeakingDetector {
  private readonly context: AudioContext;
  private readonly analyser: AnalyserNode;
  private readonly source: MediaStreamAudioSourceNode;
  private readonly buffer: Float32Array<ArrayBuffer>;
  private readonly timer: ReturnType<typeof setInterval>;
  private lastLoud = 0;
  speaking = false;
  level = 0;

  constructor(
    track: MediaStreamTrack,
    private readonly onSpeaking: (speaking: boolean) => void,
  ) {
    this.context = new AudioContext();
    this.source = this.context.createMediaStreamSource(new MediaStream([track]));
    this.analyser = this.context.createAnalyser();
    this.analyser.fftSize = 512;
    this.buffer = new Float32Array(this.analyser.fftSize);
    this.source.connect(this.analyser);
    this.timer = setInterval(() => this.poll(), POLL_MS);
  }

  private poll(): void {
    this.analyser.getFloatTimeDomainData(this.buffer);
    let sum = 0;
    for (const v of this.buffer) sum += v * v;
    this.level = Math.sqrt(sum / this.buffer.length);
    const now = performance.now();
    if (this.level > SPEAKING_THRESHOLD) this.lastLoud = now;
    const speaking = now - this.lastLoud < HANGOVER_MS;
    if (speaking !== this.speaking) {
      this.speaking = speaking;
      this.onSpeaking(speaking);
    }
  }

  stop(): void {
    clearInterval(this.timer);
    this.source.disconnect();
    void this.context.close().catch(() => undefined);
  }
}
