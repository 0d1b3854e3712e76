import { Dexie, RangeSet, cmp, type IntervalTree, type ObservabilitySet } from 'dexie';
import type { Replica } from '../../sync/replica.ts';
import { toIndexed, type DeviceIndex } from './device-index.ts';

/** The message ids a write touched, or 'all' when it touched a range (a clear, a purge). */
function touchedIds(tree: IntervalTree | undefined): string[] | 'all' {
  if (!tree || tree.d === 0) return [];
  const ids: string[] = [];
  for (const node of RangeSet(tree)) {
    if (typeof node.from !== 'string' || cmp(node.from, node.to) !== 0) return 'all';
    ids.push(node.from);
  }
  return ids;
}

/**
 * Keeps a {@link DeviceIndex} equal to the replica's messages: one full read
 * at the start, then only the rows each write touched (Dexie reports every
 * write of the origin, from any tab or worker, with the keys it changed). A
 * write over a range of keys (clearing the table, purging a channel) reads
 * everything again; those are rare.
 */
export class ReplicaFollower {
  /** Full reads of the messages table so far (tests and the bench read it). */
  fullReads = 0;
  readonly #part: string;
  readonly #dels: string;
  #pending = new Set<string>();
  #pendingAll = false;
  #running: Promise<void> = Promise.resolve();
  #stopped = false;
  readonly #listener = (parts: ObservabilitySet) => this.#onMutated(parts);

  constructor(
    private readonly replica: Replica,
    private readonly index: DeviceIndex,
    /** Told after each update, with the number of indexed messages. */
    private readonly onIndexed: (size: number) => void = () => undefined,
  ) {
    this.#part = `idb://${replica.name}/messages/`;
    this.#dels = `idb://${replica.name}/messages/:dels`;
  }

  /** Reads everything once and follows the writes; resolves once the first read is indexed. */
  start(): Promise<void> {
    Dexie.on('storagemutated', this.#listener);
    this.#pendingAll = true;
    return this.#schedule();
  }

  stop(): void {
    this.#stopped = true;
    Dexie.on.storagemutated.unsubscribe(this.#listener);
  }

  /** Resolves when every write reported so far is in the index. */
  settled(): Promise<void> {
    return this.#running;
  }

  #onMutated(parts: ObservabilitySet): void {
    const touched = [touchedIds(parts[this.#part]), touchedIds(parts[this.#dels])];
    if (touched.includes('all')) this.#pendingAll = true;
    else for (const ids of touched) for (const id of ids as string[]) this.#pending.add(id);
    if (this.#pendingAll || this.#pending.size > 0) void this.#schedule();
  }

  /** One update at a time; writes reported meanwhile are taken by the next one. */
  #schedule(): Promise<void> {
    this.#running = this.#running
      .then(() => this.#update())
      .catch((e: unknown) => console.error('search index', e));
    return this.#running;
  }

  async #update(): Promise<void> {
    if (this.#stopped) return;
    if (this.#pendingAll) {
      this.#pendingAll = false;
      this.#pending.clear();
      this.fullReads++;
      const messages = await this.replica.messages.toArray();
      for (const m of messages) this.index.put(toIndexed(m));
      this.index.retain(new Set(messages.map((m) => m.id)));
    } else if (this.#pending.size > 0) {
      const ids = [...this.#pending];
      this.#pending.clear();
      const rows = await this.replica.messages.bulkGet(ids);
      rows.forEach((m, i) => {
        if (m) this.index.put(toIndexed(m));
        else this.index.remove(ids[i] ?? '');
      });
    } else return;
    this.onIndexed(this.index.size);
  }
}
