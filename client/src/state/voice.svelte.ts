import { SvelteMap } from 'svelte/reactivity';
import type { VoiceParticipant } from '@echora/shared/voice/index';
import { listDevices, type DeviceOption } from '../voice/devices.ts';
import { IDLE, VoiceClient, type VoiceSnapshot } from '../voice/client.ts';
import { fetchVoiceState, requestVoiceGrant } from '../voice/grant.ts';
import { handleError } from './toasts.svelte.ts';

/** How often the roster of every voice channel is refreshed from the sync server. */
const ROSTER_POLL_MS = 2_500;

/**
 * Voice for the UI: the call (a {@link VoiceClient}) and who sits in every
 * voice channel. Components call the methods and read the fields.
 */
export class Voice {
  call: VoiceSnapshot = $state.raw(IDLE);
  /** Occupants per voice channel, from the sync server (all channels the user may see). */
  readonly roster = new SvelteMap<string, VoiceParticipant[]>();
  devices: DeviceOption[] = $state.raw([]);
  /** The mid of the video shown large on the stage, or null for the grid. */
  focus: string | null = $state(null);
  readonly #client: VoiceClient;
  #off: () => void;
  #timer: ReturnType<typeof setInterval>;

  constructor(private readonly getToken: () => Promise<string | null>) {
    this.#client = new VoiceClient({
      requestGrant: (channelId) => requestVoiceGrant(channelId, getToken),
    });
    this.#off = this.#client.subscribe((s) => {
      const joined = this.call.status !== 'connected' && s.status === 'connected';
      this.call = s;
      if (joined) void this.refreshDevices();
    });
    void this.refreshRoster();
    this.#timer = setInterval(() => {
      if (document.visibilityState === 'visible') void this.refreshRoster();
    }, ROSTER_POLL_MS);
  }

  /** Who is in `channelId`: the live list from the SFU for our own channel, else the server's. */
  participants(channelId: string): VoiceParticipant[] {
    if (this.call.channelId === channelId && this.call.status === 'connected')
      return this.call.participants;
    return this.roster.get(channelId) ?? [];
  }

  /** Replaces the roster with the server's list. */
  applyRoster(channels: { channelId: string; participants: VoiceParticipant[] }[]): void {
    const seen = channels.map((c) => c.channelId);
    for (const id of [...this.roster.keys()]) if (!seen.includes(id)) this.roster.delete(id);
    for (const c of channels) this.roster.set(c.channelId, c.participants);
  }

  async refreshRoster(): Promise<void> {
    try {
      this.applyRoster((await fetchVoiceState(this.getToken)).channels);
    } catch {
      // Offline: the roster stays as last seen until the server answers again.
    }
  }

  async refreshDevices(): Promise<void> {
    try {
      this.devices = await listDevices();
    } catch {
      this.devices = [];
    }
  }

  join = (channelId: string): void => {
    this.#client.join(channelId).catch((e: unknown) => handleError(e));
  };

  leave = (): void => {
    this.#client.leave();
    this.focus = null;
    void this.refreshRoster();
  };

  toggleMute = (): void => this.#client.setMuted(!this.call.muted);
  toggleDeafen = (): void => this.#client.setDeafened(!this.call.deafened);

  toggleScreen = (): void => {
    const action = this.call.screen
      ? this.#client.stopScreenShare()
      : this.#client.startScreenShare();
    action.catch((e: unknown) => handleError(e));
  };

  toggleCamera = (): void => {
    const action = this.call.camera ? this.#client.stopCamera() : this.#client.startCamera();
    action.catch((e: unknown) => handleError(e));
  };

  setInput = (id: string): void => {
    this.#client.setInputDevice(id).catch((e: unknown) => handleError(e));
  };
  setOutput = (id: string): void => {
    this.#client.setOutputDevice(id).catch((e: unknown) => handleError(e));
  };
  setCamera = (id: string): void => {
    this.#client.setCameraDevice(id).catch((e: unknown) => handleError(e));
  };

  dispose(): void {
    clearInterval(this.#timer);
    this.#off();
    this.#client.dispose();
  }
}
