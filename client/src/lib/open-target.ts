/** A message to open: a notification was clicked or tapped. */
export interface OpenTarget {
  channelId: string;
  messageId: string;
  /** The community's server (an origin), in the phone apps, which know several. */
  community?: string;
}

const ID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** An http(s) origin, else undefined. */
function originOf(value: unknown): string | undefined {
  if (typeof value !== 'string') return undefined;
  try {
    const url = new URL(value);
    return url.protocol === 'https:' || url.protocol === 'http:' ? url.origin : undefined;
  } catch {
    return undefined;
  }
}

/**
 * `target` when both ids are ids, else null (the service worker, the address
 * and a notification's extra data are inputs); a community that is no origin is dropped.
 */
export function openTarget(
  channelId: unknown,
  messageId: unknown,
  community?: unknown,
): OpenTarget | null {
  if (typeof channelId !== 'string' || typeof messageId !== 'string') return null;
  if (!ID.test(channelId) || !ID.test(messageId)) return null;
  const target = { channelId: channelId.toLowerCase(), messageId: messageId.toLowerCase() };
  const origin = originOf(community);
  return origin ? { ...target, community: origin } : target;
}

let carried: OpenTarget | null = null;

/** Keeps `target` for the next community's screens, which open it (a tap for another community). */
export function carryOpenTarget(target: OpenTarget): void {
  carried = target;
}

/**
 * `?channel=<id>&message=<id>`, as the service worker opens a new window for
 * a clicked notification; read once, then taken out of the address.
 */
export function takeOpenTarget(): OpenTarget | null {
  if (carried) {
    const target = carried;
    carried = null;
    return target;
  }
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
