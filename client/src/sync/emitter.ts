/** A tiny listener list; a throwing listener is logged, never breaks the engine. */
export class Emitter<T> {
  readonly #listeners = new Set<(value: T) => void>();

  /** Adds a listener; returns the function that removes it. */
  on(listener: (value: T) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  emit(value: T): void {
    for (const listener of this.#listeners) {
      try {
        listener(value);
      } catch (error) {
        console.error('sync: listener failed', error);
      }
    }
  }
}
