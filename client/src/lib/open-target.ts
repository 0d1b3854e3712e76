/** A message to open: a push notification was clicked. */
export interface OpenTarget {
  channelId: string;
  messageId: string;
}

const ID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** `target` when both ids are ids, else null (the service worker and the address are inputs). */
export function openTarget(channelId: unknown, messageId: unknown): OpenTarget | null {
  if (typeof channelId !== 'string' || typeof messageId !== 'string') return null;
  if (!ID.test(channelId) || !ID.test(messageId)) return null;
  return { channelId: channelId.toLowerCase(), messageId: messageId.toLowerCase() };
}

/**
 * `?channel=<id>&message=<id>`, as the service worker opens a new window for
 * a clicked notification; read once, then taken out of the address.
 */
export function takeOpenTarget(): OpenTarget | null {
  const params = new URLSearchParams(location.search);
  const target = openTarget(params.get('channel'), params.get('message'));
  if (params.has('channel') || params.has('message')) {
    history.replaceState(history.state, '', location.pathname + location.hash);
  }
  return target;
}

/** Calls `fn` when the service worker asks an open tab to show a message; returns the unsubscribe. */
export function onOpenRequest(fn: (target: OpenTarget) => void): () => void {
  const container = typeof navigator === 'undefined' ? undefined : navigator.serviceWorker;
  if (!container) return () => {};
  const listener = (event: MessageEvent<unknown>) => {
    const data = event.data as { type?: unknown; channelId?: unknown; messageId?: unknown } | null;
    if (data?.type !== 'echora.open') return;
    const target = openTarget(data.channelId, data.messageId);
    if (target) fn(target);
  };
  container.addEventListener('message', listener);
  return () => container.removeEventListener('message', listener);
}
