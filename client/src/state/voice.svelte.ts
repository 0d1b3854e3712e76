import { SvelteMap } from 'svelte/reactivity';
import type { Channel } from '@echora/shared';
import type { VoiceParticipant } from '@echora/shared/voice/index';
import type { EnginePort } from '../lib/engine-port.ts';
import { listDevices, type DeviceOption } from '../voice/devices.ts';
import { IDLE, VoiceClient, type VoiceSnapshot } from '../voice/client.ts';
import { moderateVoice, requestVoiceGrant } from '../voice/grant.ts';
import { handleError } from './toasts.svelte.ts';

/** Where the push-to-talk choice is kept on this device. */
const PTT_STORAGE_KEY = 'echora.voice.pushToTalk';
const DEFAULT_PTT_KEY = 'Backquote';

export interface PushToTalk {
  enabled: boolean;
  /** A `KeyboardEvent.code`, e.g. `Backquote`, `KeyV`, `F13`. */
  key: string;
}

function loadPushToTalk(): PushToTalk {
  try {
    const raw = JSON.parse(localStorage.getItem(PTT_STORAGE_KEY) ?? 'null') as unknown;
    if (raw && typeof raw === 'object') {
      const { enabled, key } = raw as Partial<PushToTalk>;
      return {
        enabled: enabled === true,
        key: typeof key === 'string' && key.length > 0 && key.length < 32 ? key : DEFAULT_PTT_KEY,
      };
    }
  } catch {
    // A garbled setting: start from the default.
  }
  return { enabled: false, key: DEFAULT_PTT_KEY };
}

/** Typing in a field must not key the microphone. */
function isEditable(target: EventTarget | null): boolean {
  if (!(target instanceof HTMLElement)) return false;
  return target.isContentEditable || ['INPUT', 'TEXTAREA', 'SELECT'].includes(target.tagName);
}

/** A key code as people read it: `KeyV` → `V`, `Backquote` → `` ` ``. */
export function keyLabel(code: string): string {
  if (/^Key[A-Z]$/.test(code)) return code.slice(3);
  if (/^Digit\d$/.test(code)) return code.slice(5);
  const names: Record<string, string> = {
    Backquote: '`',
    Space: 'Space',
    ControlLeft: 'Left Ctrl',
    ControlRight: 'Right Ctrl',
    ShiftLeft: 'Left Shift',
    ShiftRight: 'Right Shift',
    AltLeft: 'Left Alt',
    AltRight: 'Right Alt',
    CapsLock: 'Caps Lock',
  };
  return names[code] ?? code;
}

/**
 * Voice for the UI: the call (a {@link VoiceClient}), who sits in every voice
 * channel (pushed over the sync socket: `voice.snapshot`, `voice.state`),
 * push-to-talk, and moderators' server mute and deafen. Components call the
 * methods and read the fields.
 */
export class Voice {
  call: VoiceSnapshot = $state.raw(IDLE);
  /** Occupants per voice channel, from the sync server (all channels the user may see). */
  readonly roster = new SvelteMap<string, VoiceParticipant[]>();
  devices: DeviceOption[] = $state.raw([]);
  /** The mid of the video shown large on the stage, or null for the grid. */
  focus: string | null = $state(null);
  pushToTalk: PushToTalk = $state(loadPushToTalk());
  /** True while the panel waits for the key to bind to push-to-talk. */
  bindingKey = $state(false);
  readonly #client: VoiceClient;
  readonly #cleanup: (() => void)[] = [];

  constructor(
    private readonly getToken: () => Promise<string | null>,
    engine: Pick<EnginePort, 'voiceRoster' | 'onVoice'>,
    /** Whether I hold mute members in a channel (the UI's guess; the server decides). */
    private readonly mayModerateIn: (channel: Channel) => boolean = () => false,
  ) {
    this.#client = new VoiceClient({
      requestGrant: (channelId) => requestVoiceGrant(channelId, getToken),
    });
    this.#cleanup.push(
      this.#client.subscribe((s) => {
        const joined = this.call.status !== 'connected' && s.status === 'connected';
        this.call = s;
        if (joined) void this.refreshDevices();
      }),
      engine.onVoice((channels) => this.applyRoster(channels)),
    );
    this.applyRoster(engine.voiceRoster());
    this.#client.setPushToTalk(this.pushToTalk.enabled);
    window.addEventListener('keydown', this.#onKeyDown);
    window.addEventListener('keyup', this.#onKeyUp);
    window.addEventListener('blur', this.#release);
    this.#cleanup.push(() => {
      window.removeEventListener('keydown', this.#onKeyDown);
      window.removeEventListener('keyup', this.#onKeyUp);
      window.removeEventListener('blur', this.#release);
    });
  }

  /** Who is in `channelId`: the live list from the SFU for our own channel, else the server's. */
  participants(channelId: string): VoiceParticipant[] {
    if (this.call.channelId === channelId && this.call.status === 'connected')
      return this.call.participants;
    return this.roster.get(channelId) ?? [];
  }

  /** Replaces the roster with the server's (non-empty channels only). */
  applyRoster(channels: ReadonlyMap<string, VoiceParticipant[]>): void {
    for (const id of [...this.roster.keys()]) if (!channels.has(id)) this.roster.delete(id);
    for (const [id, participants] of channels)
      if (this.roster.get(id) !== participants) this.roster.set(id, participants);
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

  /** Whether to offer "Server mute" and "Server deafen" on people in `channel`. */
  mayModerate(channel: Channel): boolean {
    return this.mayModerateIn(channel);
  }

  /** Server-mutes (or unmutes) someone; the new state comes back over the sync socket. */
  serverMute = (userId: string, mute: boolean): void => {
    moderateVoice({ userId, mute }, this.getToken).catch((e: unknown) => handleError(e));
  };

  serverDeafen = (userId: string, deafen: boolean): void => {
    moderateVoice({ userId, deafen }, this.getToken).catch((e: unknown) => handleError(e));
  };

  setPushToTalk = (enabled: boolean): void => {
    this.pushToTalk = { ...this.pushToTalk, enabled };
    this.#savePushToTalk();
    this.#client.setPushToTalk(enabled);
  };

  /** The next key pressed becomes the push-to-talk key (Escape cancels). */
  bindPushToTalkKey = (): void => {
    this.bindingKey = true;
  };

  #savePushToTalk(): void {
    try {
      localStorage.setItem(PTT_STORAGE_KEY, JSON.stringify(this.pushToTalk));
    } catch {
      // Private mode or full storage: the choice lasts this session.
    }
  }

  readonly #onKeyDown = (event: KeyboardEvent): void => {
    if (this.bindingKey) {
      event.preventDefault();
      this.bindingKey = false;
      if (event.code === 'Escape' || !event.code) return;
      this.pushToTalk = { ...this.pushToTalk, key: event.code };
      this.#savePushToTalk();
      return;
    }
    if (!this.pushToTalk.enabled || event.code !== this.pushToTalk.key) return;
    if (this.call.status === 'idle' || isEditable(event.target)) return;
    this.#client.setTalking(true);
  };

  readonly #onKeyUp = (event: KeyboardEvent): void => {
    if (event.code === this.pushToTalk.key) this.#client.setTalking(false);
  };

  readonly #release = (): void => this.#client.setTalking(false);

  dispose(): void {
    for (const off of this.#cleanup) off();
    this.#client.dispose();
  }
}
