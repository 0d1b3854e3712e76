/*
 * Share to Echora: what another app shared, kept by the service worker
 * (client/public/share-sw.js) in Cache Storage until the user picks where to
 * post it. Everything here is input from another app: ids are checked, text
 * is cut short, files are at most ten.
 */

/** The cache the service worker keeps shares in. */
export const SHARE_CACHE = 'echora-share';
const ID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const MAX_TEXT = 4000;
const MAX_FILES = 10;

/** What the worker stored next to the files. */
export interface ShareMeta {
  title: string;
  text: string;
  url: string;
  files: { name: string; type: string }[];
}

/** What the composer receives. */
export interface Shared {
  text: string;
  files: File[];
}

/** The share id of `?share=<id>`, or null. */
export function shareIdFrom(search: string): string | null {
  const id = new URLSearchParams(search).get('share');
  return id && ID.test(id) ? id.toLowerCase() : null;
}

const str = (value: unknown): string => (typeof value === 'string' ? value.trim() : '');

/**
 * The message text for a share: its text, then its link unless the text
 * already holds it; the title only when there is nothing else (apps put the
 * page title there, which the link's preview shows anyway).
 */
export function sharedText(meta: Partial<Record<keyof ShareMeta, unknown>>): string {
  const text = str(meta.text);
  const url = str(meta.url);
  const parts = [text];
  if (url && !text.includes(url)) parts.push(url);
  const body = parts.filter(Boolean).join('\n');
  return (body || str(meta.title)).slice(0, MAX_TEXT);
}

/** The share `id` from Cache Storage, removed from it; null when there is none. */
export async function takeShared(
  id: string,
  storage: CacheStorage = caches,
): Promise<Shared | null> {
  const cache = await storage.open(SHARE_CACHE);
  const base = new URL(`/share/${id}`, location.origin).href;
  const metaResponse = await cache.match(base);
  if (!metaResponse) return null;
  const meta = (await metaResponse.json().catch(() => ({}))) as Partial<ShareMeta>;
  const listed = Array.isArray(meta.files) ? meta.files.slice(0, MAX_FILES) : [];
  const files: File[] = [];
  for (const [i, entry] of listed.entries()) {
    const response = await cache.match(`${base}/${i}`);
    if (!response) continue;
    const blob = await response.blob();
    const name = str((entry as { name?: unknown } | null)?.name) || `shared-${i + 1}`;
    files.push(new File([blob], name.slice(0, 255), { type: blob.type }));
    await cache.delete(`${base}/${i}`);
  }
  await cache.delete(base);
  return { text: sharedText(meta), files };
}

/** Takes `?share=` out of the address once read. */
export function dropShareParam(): void {
  const params = new URLSearchParams(location.search);
  if (!params.has('share')) return;
  params.delete('share');
  const rest = params.toString();
  history.replaceState(
    history.state,
    '',
    location.pathname + (rest ? `?${rest}` : '') + location.hash,
  );
}
