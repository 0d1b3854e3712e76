import type { EnginePort } from '../lib/engine-port.ts';
import { createNotes, type NotesStatus } from './backend.ts';

/**
 * The notes pane's state for one channel: the provider (Y.Doc on this device,
 * synced when online) and its status as runes. `dispose()` when the pane closes.
 */
export class ChannelNotes {
  readonly #provider;
  readonly #stop: (() => void)[];
  /** Kept versions, newest first, once asked for. */
  versions: { id: string; createdAt: string; preview: string }[] | undefined = $state();
  #status: NotesStatus = $state({
    online: false,
    loaded: false,
    canWrite: undefined,
    error: undefined,
  });

  constructor(
    engine: EnginePort,
    readonly channelId: string,
    self: { id: string; name: string },
    nameOf: (userId: string) => string,
  ) {
    this.#provider = createNotes(engine, channelId, self, nameOf);
    this.#status = this.#provider.current;
    this.#stop = [
      this.#provider.status.on((s) => (this.#status = s)),
      this.#provider.versions.on((v) => (this.versions = v)),
    ];
  }

  get text() {
    return this.#provider.text;
  }

  get awareness() {
    return this.#provider.awareness;
  }

  get online(): boolean {
    return this.#status.online;
  }

  get loaded(): boolean {
    return this.#status.loaded;
  }

  /** Read-only until the server says otherwise (and for good once it refuses). */
  get canWrite(): boolean {
    return this.#status.canWrite !== false;
  }

  get error(): NotesStatus['error'] {
    return this.#status.error;
  }

  /** Asks the server for the kept versions (only online). */
  loadVersions(): void {
    this.#provider.requestVersions();
  }

  restore(versionId: string): void {
    this.#provider.restore(versionId);
    this.versions = undefined;
  }

  dispose(): void {
    for (const stop of this.#stop) stop();
    this.#provider.destroy();
  }
}
