import type {
  SignalDown,
  VoiceGrantResponse,
  VoiceParticipant,
  VoicePerms,
} from '@echora/shared/voice/index';
import { openCamera, openMicrophone, openScreen } from './devices.ts';
import { SpeakingDetector } from './level.ts';
import { VoicePeer, type RemoteMedia } from './peer.ts';
import { SignalingSocket, type SignalClose } from './signaling.ts';
import { RemoteAudio } from './playback.ts';
import { closeMessage, refusalMessage } from './reasons.ts';
import { GrantRenewal, isFinalRefusal } from './renewal.ts';

export type VoiceStatus = 'idle' | 'connecting' | 'connected' | 'reconnecting';

/** Everything the UI shows about the call, as one immutable value. */
export interface VoiceSnapshot {
  status: VoiceStatus;
  channelId: string | null;
  muted: boolean;
  deafened: boolean;
  speaking: boolean;
  /** Push-to-talk: the microphone sends only while `talking` (the key is held). */
  pushToTalk: boolean;
  talking: boolean;
  perms: VoicePerms | null;
  /** Everyone in the channel, from the SFU (the sidebar uses the sync server's copy). */
  participants: VoiceParticipant[];
  /** My own entry in `participants` (a moderator's mute or deafen shows there). */
  self: VoiceParticipant | null;
  /** Remote tracks; video ones fill the stage. */
  remote: RemoteMedia[];
  screen: MediaStreamTrack | null;
  camera: MediaStreamTrack | null;
  /** The last problem worth telling the user, or null. */
  error: string | null;
}

export interface VoiceClientOptions {
  /** Asks the sync server for a grant (`POST /api/voice/grant`). */
  requestGrant(channelId: string): Promise<VoiceGrantResponse>;
}

/** Not in a call. */
export const IDLE: VoiceSnapshot = {
  status: 'idle',
  channelId: null,
  muted: false,
  deafened: false,
  speaking: false,
  pushToTalk: false,
  talking: false,
  perms: null,
  participants: [],
  self: null,
  remote: [],
  screen: null,
  camera: null,
  error: null,
};

const BACKOFF_MS = [500, 1000, 2000, 4000, 8000, 10_000];
/**
 * A media path `disconnected` this long is given up and rejoined: Chrome
 * takes ~30 s to call it `failed`, far too long for a call after a network change.
 */
const ICE_DISCONNECTED_GRACE_MS = 5_000;

/**
 * A voice call, framework-free: grant → SFU socket → one RTCPeerConnection;
 * mute, deafen, speaking detection, screen and camera, device choice, and
 * reconnection after network loss. The UI reads {@link VoiceClient.snapshot}.
 */
export class VoiceClient {
  private state: VoiceSnapshot = IDLE;
  private readonly listeners = new Set<(s: VoiceSnapshot) => void>();
  private socket: SignalingSocket | undefined;
  private peer: VoicePeer | undefined;
  private mic: MediaStreamTrack | undefined;
  private detector: SpeakingDetector | undefined;
  private readonly audio = new RemoteAudio();
  private attempt = 0;
  private retryTimer: ReturnType<typeof setTimeout> | undefined;
  private renewal: GrantRenewal | undefined;
  private iceTimer: ReturnType<typeof setTimeout> | undefined;
  /** Bumped on every join/leave so late callbacks of an old connection do nothing. */
  private generation = 0;
  private micDeviceId: string | undefined;
  private userId: string | undefined;
  private cameraDeviceId: string | undefined;

  constructor(private readonly options: VoiceClientOptions) {
    window.addEventListener('online', this.onNetworkChange);
    const connection = (navigator as Navigator & { connection?: EventTarget }).connection;
    connection?.addEventListener('change', this.onNetworkChange);
  }

  get snapshot(): VoiceSnapshot {
    return this.state;
  }

  /** Calls `listener` now and on every change; returns the unsubscribe. */
  subscribe(listener: (s: VoiceSnapshot) => void): () => void {
    this.listeners.add(listener);
    listener(this.state);
    return () => this.listeners.delete(listener);
  }

  private set(patch: Partial<VoiceSnapshot>): void {
    this.state = { ...this.state, ...patch };
    for (const l of this.listeners) l(this.state);
  }

  /** Joins a voice channel (leaving the current one first). */
  async join(channelId: string): Promise<void> {
    if (this.state.channelId === channelId && this.state.status !== 'idle') return;
    this.teardown(true);
    this.attempt = 0;
    this.set({ channelId, status: 'connecting', error: null, participants: [], remote: [] });
    await this.connect(++this.generation);
  }

  private async connect(generation: number): Promise<void> {
    const channelId = this.state.channelId;
    if (!channelId) return;
    let grant: VoiceGrantResponse;
    try {
      grant = await this.options.requestGrant(channelId);
    } catch (error) {
      if (generation !== this.generation) return;
      // Refusals are final; a network failure is worth another try.
      if (isFinalRefusal(error)) return this.fail((error as Error).message);
      return this.retryLater(generation);
    }
    if (generation !== this.generation) return;
    this.set({ perms: grant.perms });
    this.renewal = new GrantRenewal(() => this.options.requestGrant(channelId), {
      renewed: (next) => {
        if (generation !== this.generation) return;
        // The channel moved to another SFU node (its list changed): join there.
        if (next.url !== grant.url) return this.retryLater(generation);
        this.socket?.send({ type: 'grant', grant: next.token });
      },
      refused: (error) => {
        if (generation === this.generation) this.fail(refusalMessage(error));
      },
    });
    this.renewal.schedule(grant.expiresAt);
    if (grant.perms.speak && !this.mic) {
      await this.openMic();
      if (generation !== this.generation) return;
    }
    this.applyMute();
    this.peer = new VoicePeer(
      grant.iceServers,
      (c) =>
        this.socket?.send({
          type: 'candidate',
          candidate: c
            ? {
                candidate: c.candidate ?? '',
                sdpMid: c.sdpMid ?? null,
                sdpMLineIndex: c.sdpMLineIndex ?? null,
                usernameFragment: c.usernameFragment ?? null,
              }
            : null,
        }),
      (remote) => this.onRemote(generation, remote),
      (state) => this.onMediaState(generation, state),
    );
    this.socket = new SignalingSocket(
      grant.url,
      { grant: grant.token, muted: this.state.muted, deafened: this.state.deafened },
      (signal) => void this.onSignal(generation, signal),
      (close) => this.onClose(generation, close),
    );
  }

  private async onSignal(generation: number, signal: SignalDown): Promise<void> {
    if (generation !== this.generation) return;
    switch (signal.type) {
      case 'joined':
        this.attempt = 0;
        this.userId = signal.userId;
        this.set({
          status: 'connected',
          perms: signal.perms,
          participants: signal.participants,
          self: signal.participants.find((p) => p.userId === signal.userId) ?? null,
        });
        await this.publishAll();
        return;
      case 'offer': {
        const peer = this.peer;
        if (!peer) return;
        try {
          const sdp = await peer.answer(signal);
          if (generation === this.generation) this.socket?.send({ type: 'answer', sdp });
        } catch (error) {
          console.error('voice answer', error);
          this.retryLater(generation);
        }
        return;
      }
      case 'participants':
        this.set({
          participants: signal.participants,
          self: signal.participants.find((p) => p.userId === this.userId) ?? null,
        });
        return;
      case 'perms':
        await this.applyPerms(generation, signal.perms);
        return;
      case 'error':
        this.set({ error: signal.message });
        return;
    }
  }

  /**
   * The SFU applied new perms (a renewed grant, or a role or override change
   * the sync server told it of): stop what is no longer allowed, start the
   * microphone when speaking is allowed again, and say what changed.
   */
  private async applyPerms(generation: number, perms: VoicePerms): Promise<void> {
    const before = this.state.perms;
    this.set({ perms });
    if (!perms.stream) {
      // The SFU already ended them; stop the capture too.
      await this.stopScreenShare();
      await this.stopCamera();
    }
    this.applyMute();
    if (before?.speak && !perms.speak) this.set({ error: 'You may no longer speak here.' });
    else if (before?.stream && !perms.stream)
      this.set({ error: 'You may no longer share video here.' });
    if (!perms.speak || before?.speak !== false) return;
    this.set({ error: null });
    if (!this.mic && !(await this.openMic())) return;
    if (generation !== this.generation) return;
    this.applyMute();
    await this.peer?.setLocal('mic', this.mic ?? null);
    this.socket?.send({ type: 'publish', source: 'mic' });
  }

  /** Opens the microphone; says so when it cannot (the call goes on, listening). */
  private async openMic(): Promise<boolean> {
    try {
      this.mic = await openMicrophone(this.micDeviceId);
      this.watchMic();
      return true;
    } catch {
      this.set({ error: 'Microphone unavailable: you can listen but not speak.' });
      return false;
    }
  }

  /** After (re)joining, offer every local source again. */
  private async publishAll(): Promise<void> {
    const peer = this.peer;
    if (!peer) return;
    if (this.mic && this.state.perms?.speak) {
      await peer.setLocal('mic', this.mic);
      this.socket?.send({ type: 'publish', source: 'mic' });
    }
    for (const source of ['screen', 'camera'] as const) {
      const track = this.state[source];
      if (!track || !this.state.perms?.stream) continue;
      await peer.setLocal(source, track);
      this.socket?.send({ type: 'publish', source });
    }
  }

  private onRemote(generation: number, remote: RemoteMedia[]): void {
    if (generation !== this.generation) return;
    this.audio.sync(remote.filter((r) => r.track.kind === 'audio'));
    this.set({ remote });
  }

  private onClose(generation: number, close: SignalClose): void {
    if (generation !== this.generation) return;
    if (close.retry) this.retryLater(generation);
    else this.fail(closeMessage(close));
  }

  private retryLater(generation: number): void {
    if (generation !== this.generation || !this.state.channelId) return;
    this.teardown(false);
    const next = ++this.generation;
    const delay = BACKOFF_MS[Math.min(this.attempt++, BACKOFF_MS.length - 1)] ?? 10_000;
    this.set({ status: 'reconnecting', remote: [] });
    this.retryTimer = setTimeout(() => {
      this.retryTimer = undefined;
      void this.connect(next);
    }, delay);
  }

  /** ICE failed, or stayed disconnected past the grace: rejoin with a new grant. */
  private onMediaState(generation: number, state: RTCPeerConnectionState): void {
    if (generation !== this.generation) return;
    clearTimeout(this.iceTimer);
    if (state === 'failed') this.retryLater(generation);
    else if (state === 'disconnected')
      this.iceTimer = setTimeout(() => this.retryLater(generation), ICE_DISCONNECTED_GRACE_MS);
  }

  private readonly onNetworkChange = (): void => {
    // A new network means new addresses: the old ICE path is likely dead.
    // Skip the wait of a pending retry; one already connecting is left alone (a second
    // join of the same generation would replace the first and end the call).
    if (this.state.status === 'reconnecting') {
      if (this.retryTimer === undefined) return;
      clearTimeout(this.retryTimer);
      this.retryTimer = undefined;
      this.attempt = 0;
      void this.connect(this.generation);
    } else if (this.state.status === 'connected') {
      this.retryLater(this.generation);
    }
  };

  private fail(error: string | null): void {
    this.leave();
    this.set({ error });
  }

  /** Leaves the channel ("Disconnect"). */
  leave(): void {
    this.generation++;
    this.teardown(true);
    this.set({
      talking: false,
      self: null,
      status: 'idle',
      channelId: null,
      participants: [],
      remote: [],
      perms: null,
      speaking: false,
      screen: null,
      camera: null,
    });
  }

  /** Closes the connection; with `everything`, also the microphone, screen and camera. */
  private teardown(everything: boolean): void {
    clearTimeout(this.retryTimer);
    clearTimeout(this.iceTimer);
    this.renewal?.stop();
    this.renewal = undefined;
    this.socket?.close();
    this.socket = undefined;
    this.peer?.close();
    this.peer = undefined;
    this.audio.sync([]);
    if (!everything) return;
    this.detector?.stop();
    this.detector = undefined;
    this.mic?.stop();
    this.mic = undefined;
    this.state.screen?.stop();
    this.state.camera?.stop();
  }

  private watchMic(): void {
    this.detector?.stop();
    if (!this.mic) return;
    try {
      this.detector = new SpeakingDetector(this.mic, (speaking) => {
        const shown = speaking && this.micOpen();
        if (shown === this.state.speaking) return;
        this.set({ speaking: shown });
        this.socket?.send({ type: 'state', speaking: shown });
      });
    } catch {
      // No WebAudio: no speaking ring, the call still works.
    }
  }

  /** Allowed to speak, neither muted nor deafened, and with push-to-talk, the key is held. */
  private micOpen(): boolean {
    const { muted, deafened, pushToTalk, talking, perms } = this.state;
    return perms?.speak !== false && !muted && !deafened && (!pushToTalk || talking);
  }

  /** The microphone track is enabled only while {@link micOpen}: a disabled track sends silence. */
  private applyMute(): void {
    if (this.mic) this.mic.enabled = this.micOpen();
    this.audio.setMuted(this.state.deafened);
    if (this.state.speaking && !this.micOpen()) {
      this.set({ speaking: false });
      this.socket?.send({ type: 'state', speaking: false });
    }
  }

  setMuted(muted: boolean): void {
    this.set({ muted });
    this.applyMute();
    this.socket?.send({ type: 'state', muted });
  }

  setDeafened(deafened: boolean): void {
    this.set({ deafened });
    this.applyMute();
    this.socket?.send({ type: 'state', deafened });
  }

  /** Turns push-to-talk on or off; while on, the microphone is silent until {@link setTalking}. */
  setPushToTalk(enabled: boolean): void {
    this.set({ pushToTalk: enabled, talking: false });
    this.applyMute();
  }

  /** The push-to-talk key went down (true) or up (false). */
  setTalking(talking: boolean): void {
    if (talking === this.state.talking) return;
    this.set({ talking });
    this.applyMute();
  }

  /** Shares a screen; `track` replaces the browser picker (tests, or a prepared capture). */
  async startScreenShare(track?: MediaStreamTrack): Promise<void> {
    if (!this.state.perms?.stream) return this.set({ error: 'You may not share video here.' });
    let screen: MediaStreamTrack;
    try {
      screen = track ?? (await openScreen());
    } catch {
      return; // The user closed the picker.
    }
    screen.addEventListener('ended', () => void this.stopScreenShare());
    this.state.screen?.stop();
    this.set({ screen });
    await this.peer?.setLocal('screen', screen);
    this.socket?.send({ type: 'publish', source: 'screen' });
  }

  async stopScreenShare(): Promise<void> {
    const screen = this.state.screen;
    if (!screen) return;
    screen.stop();
    this.set({ screen: null });
    await this.peer?.setLocal('screen', null);
    this.socket?.send({ type: 'unpublish', source: 'screen' });
  }

  async startCamera(): Promise<void> {
    if (!this.state.perms?.stream) return this.set({ error: 'You may not share video here.' });
    let camera: MediaStreamTrack;
    try {
      camera = await openCamera(this.cameraDeviceId);
    } catch {
      return this.set({ error: 'Camera unavailable.' });
    }
    this.state.camera?.stop();
    this.set({ camera });
    await this.peer?.setLocal('camera', camera);
    this.socket?.send({ type: 'publish', source: 'camera' });
  }

  async stopCamera(): Promise<void> {
    const camera = this.state.camera;
    if (!camera) return;
    camera.stop();
    this.set({ camera: null });
    await this.peer?.setLocal('camera', null);
    this.socket?.send({ type: 'unpublish', source: 'camera' });
  }

  /** Switches the microphone mid-call without renegotiating. */
  async setInputDevice(deviceId: string): Promise<void> {
    this.micDeviceId = deviceId;
    if (!this.mic) return;
    const next = await openMicrophone(deviceId);
    this.mic.stop();
    this.mic = next;
    this.applyMute();
    this.watchMic();
    await this.peer?.setLocal('mic', next);
  }

  async setCameraDevice(deviceId: string): Promise<void> {
    this.cameraDeviceId = deviceId;
    if (this.state.camera) await this.startCamera();
  }

  /** Plays everyone through another speaker, where the browser allows it. */
  async setOutputDevice(deviceId: string): Promise<void> {
    await this.audio.setSink(deviceId);
  }

  /** Leaves and stops listening to network changes. */
  dispose(): void {
    this.leave();
    window.removeEventListener('online', this.onNetworkChange);
    const connection = (navigator as Navigator & { connection?: EventTarget }).connection;
    connection?.removeEventListener('change', this.onNetworkChange);
  }
}
