import type { Intent, SendIntentPlugin } from 'send-intent';
import { sharedText, type Shared } from '../lib/share.ts';

/** At most this many items of one share become files (as the web share target allows). */
const MAX_FILES = 10;

/**
 * What another Android app shared into Echora (`send-intent`: the share
 * opens the app in its SendIntentActivity), as the composer takes it. The
 * intent is another app's input: text is cut short by `sharedText`, only
 * files the plugin copied into the app's own storage (`file:` URLs) are
 * read, through `readFile`, and at most ten. Null when nothing was shared.
 */
export async function takeSharedIntent(
  plugin: Pick<SendIntentPlugin, 'checkSendIntentReceived'>,
  readFile: (url: string) => Promise<Blob>,
): Promise<Shared | null> {
  // The plugin rejects when the app was opened another way.
  const first = await plugin.checkSendIntentReceived().catch(() => null);
  if (!first || typeof first !== 'object') return null;
  const more: unknown[] = Array.isArray(first.additionalItems) ? first.additionalItems : [];
  const items = [first, ...more].filter(
    (item): item is Intent => typeof item === 'object' && item !== null,
  );
  const type = typeof first.type === 'string' ? first.type : '';
  if (type === 'text/plain') {
    // EXTRA_TEXT arrives as `url`, EXTRA_SUBJECT as `title`.
    return { text: sharedText({ title: first.title, text: first.url }), files: [] };
  }
  const files: File[] = [];
  for (const [i, item] of items.slice(0, MAX_FILES).entries()) {
    const url = typeof item.url === 'string' ? item.url : '';
    if (!url.startsWith('file:')) continue;
    const blob = await readFile(url).catch(() => null);
    if (!blob) continue;
    const title = typeof item.title === 'string' ? item.title.trim() : '';
    const itemType = typeof item.type === 'string' && !item.type.includes('*') ? item.type : '';
    files.push(
      new File([blob], (title || `shared-${i + 1}`).slice(0, 255), {
        type: blob.type || itemType,
      }),
    );
  }
  return files.length > 0 ? { text: '', files } : null;
}
