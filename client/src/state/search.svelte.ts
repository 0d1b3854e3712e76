import type { Message } from '@echora/shared';
import type { SearchResponse } from '@echora/shared/protocol/rest/search';
import { apiFetch } from '../api/http.ts';
import type { ReplicaPort } from '../lib/engine-port.ts';
import { kvGet, kvSet } from '../lib/kv.ts';
import { DeviceSearch } from '../lib/search/device-search.ts';
import { addRecent, groupByChannel, mergeHits, type HitGroup } from '../lib/search/merge.ts';

export interface SearchDeps {
  replica: ReplicaPort;
  userId: string;
  getToken: () => Promise<string | null>;
  isOnline: () => boolean;
}

/**
 * The search panel: asks the device index (a worker, always) and the server
 * (when online) at once, and merges what comes back. Offline, or when the
 * server fails, the device's answer stands alone and the panel says so.
 */
export class SearchState {
  #open = $state(false);
  #groups = $state<HitGroup[]>([]);
  #busy = $state(false);
  #error = $state<string | null>(null);
  #deviceOnly = $state(false);
  #recent = $state<string[]>([]);
  #ran = $state('');
  #serial = 0;
  #device: DeviceSearch | undefined;
  query = $state('');

  constructor(private readonly deps: SearchDeps) {
    kvGet<string[]>(deps.replica, this.#recentKey)
      .then((r) => (this.#recent = r ?? []))
      .catch(() => undefined);
  }

  get #recentKey(): string {
    return `search:recent:${this.deps.userId}`;
  }

  get isOpen(): boolean {
    return this.#open;
  }
  get groups(): HitGroup[] {
    return this.#groups;
  }
  get busy(): boolean {
    return this.#busy;
  }
  /** Why the last query could not run (a malformed filter), or null. */
  get error(): string | null {
    return this.#error;
  }
  /** True when the last results came from this device alone (offline or server unreachable). */
  get deviceOnly(): boolean {
    return this.#deviceOnly;
  }
  get recent(): string[] {
    return this.#recent;
  }
  /** The query the shown results answer. */
  get ran(): string {
    return this.#ran;
  }

  open(): void {
    // The worker starts on first use: nobody who never searches pays for the index.
    this.#device ??= new DeviceSearch(this.deps.replica.name);
    this.#open = true;
  }

  close(): void {
    this.#open = false;
  }

  toggle(): void {
    if (this.#open) this.close();
    else this.open();
  }

  /** Runs `q` on both sides; a later call wins over an earlier one still running. */
  async run(q: string): Promise<void> {
    const serial = ++this.#serial;
    const text = q.trim();
    if (!text) {
      this.#groups = [];
      this.#ran = '';
      this.#error = null;
      return;
    }
    this.#busy = true;
    const device = (this.#device ??= new DeviceSearch(this.deps.replica.name));
    const [deviceHits, server] = await Promise.all([
      device.search(text).catch((e: unknown) => (e instanceof Error ? e : new Error(String(e)))),
      this.#server(text),
    ]);
    if (serial !== this.#serial) return;
    this.#busy = false;
    if (deviceHits instanceof Error) {
      this.#error = deviceHits.message;
      this.#groups = [];
      return;
    }
    this.#error = null;
    const rows = await this.deps.replica.messages.bulkGet(deviceHits.map((h) => h.id));
    // eslint-disable-next-line svelte/prefer-svelte-reactivity -- local to this call
    const byId = new Map<string, Message>();
    for (const m of rows) if (m) byId.set(m.id, m);
    if (serial !== this.#serial) return;
    this.#deviceOnly = server === null;
    this.#groups = groupByChannel(mergeHits(server?.results ?? null, deviceHits, byId));
    this.#ran = text;
  }

  async #server(q: string): Promise<SearchResponse | null> {
    if (!this.deps.isOnline()) return null;
    try {
      const token = await this.deps.getToken();
      if (!token) return null;
      return await apiFetch<SearchResponse>(`/search?q=${encodeURIComponent(q)}`, { token });
    } catch {
      return null;
    }
  }

  /** Keeps `q` in this user's recent searches on this device. */
  remember(q: string): void {
    this.#recent = addRecent(this.#recent, q);
    kvSet(this.deps.replica, this.#recentKey, $state.snapshot(this.#recent)).catch(() => undefined);
  }

  dispose(): void {
    this.#device?.dispose();
    this.#device = undefined;
  }
}
