/** Where the REST API lives (`VITE_API_BASE`, default `/api` on this origin). */
export const apiBase: string = (import.meta.env.VITE_API_BASE as string | undefined) ?? '/api';

/**
 * The ws(s) URL of the sync socket. `VITE_WS_BASE` overrides the base; by
 * default it follows the page's origin so the dev proxy and production agree.
 */
export function syncUrl(): string {
  const configured = import.meta.env.VITE_WS_BASE as string | undefined;
  if (configured) return `${configured.replace(/\/$/, '')}/sync`;
  const scheme = location.protocol === 'https:' ? 'wss:' : 'ws:';
  const base = apiBase.startsWith('http') ? new URL(apiBase) : new URL(apiBase, location.href);
  return `${scheme}//${base.host}${base.pathname.replace(/\/$/, '')}/sync`;
}
