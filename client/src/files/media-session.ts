import { apiBase } from '../lib/config.ts';
import { FILES_CACHE } from './media.ts';

/** Renew the media cookie this often (access tokens live 15 minutes). */
const RENEW_MS = 4 * 60 * 1000;

/**
 * Keeps the httpOnly media cookie (`POST /api/files/session`) carrying a
 * fresh access token, so `<img src>`, `<video src>` and download links to
 * `/api/files/*` are authorised without a token in the URL.
 */
export class MediaSession {
  #last: string | null = null;
  #timer: ReturnType<typeof setInterval> | undefined;
  #pending: Promise<void> | undefined;

  constructor(private readonly getToken: () => Promise<string | null>) {}

  start(): void {
    void this.renew();
    this.#timer = setInterval(() => void this.renew(), RENEW_MS);
  }

  /** Sets the cookie again when the token changed (or `force`); offline it quietly waits. */
  renew(force = false): Promise<void> {
    this.#pending ??= (async () => {
      try {
        const token = await this.getToken();
        if (!token || (!force && token === this.#last)) return;
        const response = await fetch(`${apiBase}/files/session`, {
          method: 'POST',
          credentials: 'include',
          headers: { authorization: `Bearer ${token}` },
        });
        if (response.ok) this.#last = token;
      } catch {
        // Offline: media come from the cache until the next renewal.
      }
    })().finally(() => (this.#pending = undefined));
    return this.#pending;
  }

  stop(): void {
    clearInterval(this.#timer);
  }
}

/** Forgets media this browser cached (on sign-out, so the next user cannot see them). */
export async function clearMediaCache(): Promise<void> {
  if (typeof caches !== 'undefined') await caches.delete(FILES_CACHE);
}

let current: MediaSession | undefined;

/** Starts the one media session of this page (again after a sign-in as someone else). */
export function startMediaSession(getToken: () => Promise<string | null>): MediaSession {
  if (current) return current;
  current = new MediaSession(getToken);
  current.start();
  return current;
}

/** A media element failed to load (likely an expired cookie): renew once and reload it. */
export function retryMedia(element: HTMLImageElement | HTMLMediaElement): void {
  if (!current || element.dataset.retried) return;
  element.dataset.retried = '1';
  const src = element.getAttribute('src') ?? '';
  void current.renew(true).then(() => {
    element.setAttribute('src', src);
    if (element instanceof HTMLMediaElement) element.load();
  });
}
