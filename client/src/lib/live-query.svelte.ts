import { liveQuery } from 'dexie';

/**
 * A Dexie `liveQuery` as a rune: `current` follows the replica. `key` is read
 * inside an effect, so when it changes the query is re-subscribed with it.
 * Keep keys primitive or derived: an effect re-runs whenever `key` reads changed state.
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
    /** True when the old rows may stay on screen while the new key loads (a wider window). */
    sameScope: (previous: K, next: K) => boolean = () => false,
  ) {
    this.current = initial;
    let previous: { key: K } | undefined;
    $effect(() => {
      const k = key();
      // A new key must not show the old key's rows (another channel's messages) meanwhile.
      if (previous && !sameScope(previous.key, k)) this.current = initial;
      previous = { key: k };
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
