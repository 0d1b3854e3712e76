/** How many files the phone apps keep as `blob:` URLs at most. */
export const MEDIA_CACHE_FILES = 300;
/** How many bytes those files may hold together. */
export const MEDIA_CACHE_BYTES = 64 * 1024 * 1024;

export interface MediaLoaderOptions {
  /** The current access token, or null when signed out. */
  token: () => Promise<string | null>;
  /** A new access token, asked for when the server refused the current one (401). */
  refresh: () => Promise<string | null>;
  maxFiles?: number;
  maxBytes?: number;
}

/** A file that could not be loaded: the server's status, or 0 when it was refused here. */
export class MediaLoadError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
    this.name = 'MediaLoadError';
  }
}

interface Entry {
  objectUrl: string;
  bytes: number;
}

/**
 * Loads media with the access token in the `Authorization` header into
 * `blob:` URLs, for the phone apps, where the server's media cookie is a
 * third party's and never reaches `<img src>`. Tokens never go in URLs.
 *
 * Loaded files stay in a least-recently-used cache bounded by count and by
 * bytes; an evicted file's URL is revoked. Loads of one URL in flight at
 * once share one request, and a 401 is retried once with a fresh token.
 */
export class MediaLoader {
  readonly #entries = new Map<string, Entry>();
  readonly #loading = new Map<string, Promise<string>>();
  readonly #maxFiles: number;
  readonly #maxBytes: number;
  #bytes = 0;
  /** Bumped by `clear()`: loads that started before it keep nothing. */
  #generation = 0;
  #refreshing: Promise<string | null> | undefined;

  constructor(private readonly options: MediaLoaderOptions) {
    this.#maxFiles = options.maxFiles ?? MEDIA_CACHE_FILES;
    this.#maxBytes = options.maxBytes ?? MEDIA_CACHE_BYTES;
  }

  /** The files and bytes held now. */
  get held(): { files: number; bytes: number } {
    return { files: this.#entries.size, bytes: this.#bytes };
  }

  /** A `blob:` URL of the file at `url` (absolute), from the cache or the server. */
  load(url: string): Promise<string> {
    const held = this.#entries.get(url);
    if (held) {
      // Most recently used goes last: a Map iterates in insertion order.
      this.#entries.delete(url);
      this.#entries.set(url, held);
      return Promise.resolve(held.objectUrl);
    }
    const inFlight = this.#loading.get(url);
    if (inFlight) return inFlight;
    const pending = this.#fetch(url).finally(() => {
      // A load started after `clear()` may hold the slot by now.
      if (this.#loading.get(url) === pending) this.#loading.delete(url);
    });
    this.#loading.set(url, pending);
    return pending;
  }

  /** Revokes every URL and forgets every file (sign-out, another community). */
  clear(): void {
    this.#generation++;
    for (const entry of this.#entries.values()) URL.revokeObjectURL(entry.objectUrl);
    this.#entries.clear();
    this.#loading.clear();
    this.#bytes = 0;
  }

  async #fetch(url: string): Promise<string> {
    const generation = this.#generation;
    let token = await this.options.token();
    let response = await get(url, token);
    if (response.status === 401) {
      await response.body?.cancel();
      token = await this.#fresh(token);
      response = await get(url, token);
    }
    if (!response.ok) {
      await response.body?.cancel();
      throw new MediaLoadError(response.status, `could not load ${url} (${response.status})`);
    }
    const declared = Number(response.headers.get('content-length') ?? 0);
    if (declared > this.#maxBytes) {
      await response.body?.cancel();
      throw this.#tooLarge(url);
    }
    const blob = await response.blob();
    if (blob.size > this.#maxBytes) throw this.#tooLarge(url);
    if (generation !== this.#generation) {
      throw new MediaLoadError(0, 'signed out while loading');
    }
    const objectUrl = URL.createObjectURL(blob);
    this.#entries.set(url, { objectUrl, bytes: blob.size });
    this.#bytes += blob.size;
    this.#evict();
    return objectUrl;
  }

  /**
   * The token to retry with after `rejected` was refused: one another load
   * already got, else one refresh shared by every load refused meanwhile.
   */
  async #fresh(rejected: string | null): Promise<string | null> {
    const current = await this.options.token();
    if (current !== rejected) return current;
    this.#refreshing ??= this.options.refresh().finally(() => (this.#refreshing = undefined));
    return this.#refreshing;
  }

  #evict(): void {
    for (const [url, entry] of this.#entries) {
      if (this.#entries.size <= this.#maxFiles && this.#bytes <= this.#maxBytes) return;
      this.#entries.delete(url);
      this.#bytes -= entry.bytes;
      URL.revokeObjectURL(entry.objectUrl);
    }
  }

  #tooLarge(url: string): MediaLoadError {
    return new MediaLoadError(0, `${url} is larger than the media cache (${this.#maxBytes} bytes)`);
  }
}

function get(url: string, token: string | null): Promise<Response> {
  // No cookies: the header is the credential, and the server is another site.
  return fetch(url, {
    credentials: 'omit',
    headers: token ? { authorization: `Bearer ${token}` } : {},
  });
}
