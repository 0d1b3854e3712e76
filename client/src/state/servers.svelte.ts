import { useServer } from '../lib/config.ts';

const KEY = 'echora.servers';

/** The part of `localStorage` this needs. */
type Store = Pick<Storage, 'getItem' | 'setItem'>;

interface Saved {
  origins: string[];
  current: string | null;
}

/**
 * The communities a phone app knows (their servers' origins) and which one
 * is open. Kept in localStorage: addresses are not secrets, and they must be
 * known before the replica of the right community can be opened.
 */
export class Servers {
  #origins: string[] = $state([]);
  #current: string | null = $state(null);
  /** The person asked to add or switch a community. */
  choosing = $state(false);

  /**
   * `forget`: forgets what the device holds of a community the person
   * removes (its session, secrets and data); none of its screens is open.
   */
  constructor(
    private readonly store: Store,
    private readonly forget: (origin: string) => Promise<void> = () => Promise.resolve(),
  ) {
    const saved = read(store);
    this.#origins = saved.origins;
    this.#current = saved.current && saved.origins.includes(saved.current) ? saved.current : null;
    useServer(this.#current ?? undefined);
  }

  get origins(): readonly string[] {
    return this.#origins;
  }

  get current(): string | null {
    return this.#current;
  }

  /** Remembers a checked server and opens it. */
  add(origin: string): void {
    if (!this.#origins.includes(origin)) this.#origins = [...this.#origins, origin];
    this.use(origin);
  }

  /** Opens a known community: the API and socket point there from now on. */
  use(origin: string): void {
    if (!this.#origins.includes(origin)) return;
    useServer(origin);
    this.#current = origin;
    this.choosing = false;
    this.#save();
  }

  /**
   * Takes a community off the list at once, then forgets its session and
   * everything the device holds of it.
   */
  remove(origin: string): Promise<void> {
    if (!this.#origins.includes(origin)) return Promise.resolve();
    this.#origins = this.#origins.filter((o) => o !== origin);
    if (this.#current === origin) {
      this.#current = null;
      useServer(undefined);
    }
    this.#save();
    return this.forget(origin);
  }

  #save(): void {
    const saved: Saved = { origins: this.#origins, current: this.#current };
    this.store.setItem(KEY, JSON.stringify(saved));
  }
}

function read(store: Store): Saved {
  try {
    const raw = JSON.parse(store.getItem(KEY) ?? 'null') as Partial<Saved> | null;
    const origins = Array.isArray(raw?.origins)
      ? raw.origins.filter((o): o is string => typeof o === 'string')
      : [];
    return { origins, current: typeof raw?.current === 'string' ? raw.current : null };
  } catch {
    return { origins: [], current: null };
  }
}

/** The replica's database name for a community: one per server, so they never mix. */
export function replicaName(origin: string | null): string {
  return origin ? `echora ${origin}` : 'echora';
}
