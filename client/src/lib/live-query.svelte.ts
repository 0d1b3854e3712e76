import { liveQuery } from 'dexie';

/**
 * A Dexie `liveQuery` as a rune: `current` follows the replica. `key` is read
 * inside an effect, so when it changes the query is re-subscribed with it.
 * Must be created during component initialisation (it owns an effect).
 */
export class LiveQuery<K, T> {
  current: T = $state() as T;
  /** False until the first result for the current key arrives. */
  loaded = $state(false);

  constructor(
    key: () => K,
    query: (key: K) => Promise<T> | T,
    initial: T,
    onError: (error: unknown) => void,
  ) {
    this.current = initial;
    $effect(() => {
      const k = key();
      this.loaded = false;
      const subscription = liveQuery(() => query(k)).subscribe({
        next: (value) => {
          this.current = value;
          this.loaded = true;
        },
        error: onError,
      });
      return () => subscription.unsubscribe();
    });
  }
}
