import { newId, type Channel, type ChannelKind } from '@echora/shared';
import type { EnginePort, MutationOutcome, ReplicaPort } from '../lib/engine-port.ts';
import { kvGet, kvSet } from '../lib/kv.ts';
import { LiveQuery } from '../lib/live-query.svelte.ts';
import { handleError } from './toasts.svelte.ts';

const LAST_CHANNEL = 'lastChannelId';

function byPosition(a: Channel, b: Channel): number {
  return a.position - b.position || a.name.localeCompare(b.name);
}

/** The channel list from the replica, the open channel, and channel management. */
export class Channels {
  #list: LiveQuery<null, Channel[]>;
  selectedId: string | undefined = $state();

  all = $derived.by(() => [...this.#list.current].sort(byPosition));
  text = $derived(this.all.filter((c) => c.kind === 'text'));
  voice = $derived(this.all.filter((c) => c.kind === 'voice'));
  /** Direct conversations (listed apart, in `Dms`). */
  dms = $derived(this.all.filter((c) => c.kind === 'dm'));
  /**
   * The open channel: the chosen text channel or direct conversation while it
   * exists, else the first text channel.
   */
  current = $derived(
    this.all.find((c) => c.id === this.selectedId && (c.kind === 'text' || c.kind === 'dm')) ??
      this.text[0],
  );

  constructor(
    private readonly replica: ReplicaPort,
    private readonly engine: EnginePort,
  ) {
    this.#list = new LiveQuery(
      () => null,
      () => replica.channels.toArray(),
      [],
      (e) => handleError(e),
    );
    kvGet<string>(replica, LAST_CHANNEL).then(
      (id) => (this.selectedId ??= id),
      (e: unknown) => handleError(e),
    );
  }

  get loaded(): boolean {
    return this.#list.loaded;
  }

  /** Opens a channel and remembers it for the next start. */
  select(id: string): void {
    this.selectedId = id;
    kvSet(this.replica, LAST_CHANNEL, id).catch((e: unknown) => handleError(e));
  }

  /*
   * Channel operations apply at once in the replica (optimistic) and settle in
   * the background: offline they wait in the outbox, refusals roll back with a toast.
   */

  /** Creates a channel and opens it if it is a text channel. */
  create(kind: ChannelKind, name: string, topic: string): void {
    const id = newId();
    this.#run(this.engine.mutate('channel.create', { id, kind, name: name.trim(), topic }));
    if (kind === 'text') this.select(id);
  }

  rename(id: string, name: string, topic: string): void {
    this.#run(this.engine.mutate('channel.rename', { id, name: name.trim(), topic }));
  }

  remove(id: string): void {
    this.#run(this.engine.mutate('channel.delete', { id }));
  }

  /** Moves a channel one place up or down among channels of its kind. */
  move(id: string, direction: -1 | 1): void {
    const channel = this.all.find((c) => c.id === id);
    if (!channel) return;
    const group = channel.kind === 'text' ? this.text : this.voice;
    const target = group[group.findIndex((c) => c.id === id) + direction];
    if (target) this.place(id, target.id);
  }

  /** Puts a channel where another one of the same kind is (drag and drop), shifting the rest. */
  place(id: string, targetId: string): void {
    const channel = this.all.find((c) => c.id === id);
    const target = this.all.find((c) => c.id === targetId);
    if (!channel || !target || channel.kind !== target.kind || id === targetId) return;
    const group = (channel.kind === 'text' ? this.text : this.voice).filter((c) => c.id !== id);
    const at = group.findIndex((c) => c.id === targetId);
    const from = this.all.indexOf(channel);
    const to = this.all.indexOf(target);
    group.splice(from < to ? at + 1 : at, 0, channel);
    // The server orders by the full list, so send every channel: text first, then voice.
    const rest = this.all.filter((c) => c.kind !== channel.kind);
    const ordered = channel.kind === 'text' ? [...group, ...rest] : [...rest, ...group];
    this.#run(this.engine.mutate('channel.reorder', { ids: ordered.map((c) => c.id) }));
  }

  #run(outcome: Promise<MutationOutcome>): void {
    outcome.then(
      (result) => {
        if (!result.ok) handleError(result.error);
      },
      (e: unknown) => handleError(e),
    );
  }
}
