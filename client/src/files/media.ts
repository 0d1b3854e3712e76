import { apiBase } from '../lib/config.ts';

/** The browser URL of a file URL the server gave (`/api/files/...`), honouring `VITE_API_BASE`. */
export function mediaUrl(url: string): string {
  return url.startsWith('/api/') ? `${apiBase.replace(/\/$/, '')}${url.slice(4)}` : url;
}

/** "1.4 MB", "820 KB", "12 bytes". */
export function formatBytes(size: number): string {
  if (size < 1024) return `${size} byte${size === 1 ? '' : 's'}`;
  if (size < 1024 * 1024) return `${Math.round(size / 1024)} KB`;
  return `${(size / (1024 * 1024)).toFixed(1)} MB`;
}

/** Where the service worker keeps media already seen (see `vite.config.ts`). */
export const FILES_CACHE = 'echora-files';
