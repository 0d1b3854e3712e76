/** Where the REST API lives by default (`VITE_API_BASE`, default `/api` on this origin). */
const defaultApiBase = (import.meta.env.VITE_API_BASE as string | undefined) ?? '/api';

/**
 * Where the REST API lives now: the default, or the chosen community's
 * server in the phone apps (`useServer`). A live binding: read it at call time.
 */
export let apiBase: string = defaultApiBase;
let server: string | undefined;

/**
 * Points the API and the sync socket at a community's server (an origin
 * such as `https://chat.example.org`), or back at the default.
 */
export function useServer(origin: string | undefined): void {
  server = origin;
  apiBase = origin ? apiBaseFor(origin) : defaultApiBase;
}

/** The community's server `useServer` chose (the phone apps), else undefined. */
export function chosenServer(): string | undefined {
  return server;
}

/** The REST API of a community's server (an origin). */
export function apiBaseFor(origin: string): string {
  return `${origin.replace(/\/$/, '')}/api`;
}

/**
 * The ws(s) URL of the sync socket. `VITE_WS_BASE` overrides the base; by
 * default it follows the API's address (the page's origin unless a server
 * was chosen), so the dev proxy, production and the phone apps agree.
 */
export function syncUrl(): string {
  const configured = import.meta.env.VITE_WS_BASE as string | undefined;
  if (configured && apiBase === defaultApiBase) return `${configured.replace(/\/$/, '')}/sync`;
  const base = apiBase.startsWith('http') ? new URL(apiBase) : new URL(apiBase, location.href);
  const scheme = base.protocol === 'https:' ? 'wss:' : 'ws:';
  return `${scheme}//${base.host}${base.pathname.replace(/\/$/, '')}/sync`;
}
