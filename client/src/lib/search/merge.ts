import type { Message, SnippetPart } from '@echora/shared';
import type { SearchResult } from '@echora/shared/protocol/rest/search';
import type { DeviceHit } from './device-index.ts';

/** One result as the panel shows it; `deviceOnly` when the server did not return it. */
export interface MergedHit {
  message: Message;
  snippet: SnippetPart[];
  deviceOnly: boolean;
}

export interface HitGroup {
  channelId: string;
  hits: MergedHit[];
}

/**
 * The server's results (best first), then what only the device found
 * (written offline, or the server was unreachable), each message once.
 * `messages` holds the device's rows for its hits.
 */
export function mergeHits(
  server: readonly SearchResult[] | null,
  device: readonly DeviceHit[],
  messages: ReadonlyMap<string, Message>,
): MergedHit[] {
  const seen = new Set<string>();
  const out: MergedHit[] = [];
  for (const r of server ?? []) {
    if (seen.has(r.message.id)) continue;
    seen.add(r.message.id);
    // The device may hold a newer edit than the server answered with: show the server's, it ranked it.
    out.push({ message: r.message, snippet: r.snippet, deviceOnly: false });
  }
  for (const h of device) {
    const message = messages.get(h.id);
    if (!message || seen.has(h.id)) continue;
    seen.add(h.id);
    out.push({ message, snippet: h.snippet, deviceOnly: server !== null });
  }
  return out;
}

/** Results grouped by channel, groups in the order of their best result. */
export function groupByChannel(hits: readonly MergedHit[]): HitGroup[] {
  const groups = new Map<string, HitGroup>();
  for (const hit of hits) {
    const id = hit.message.channelId;
    const group = groups.get(id) ?? { channelId: id, hits: [] };
    group.hits.push(hit);
    groups.set(id, group);
  }
  return [...groups.values()];
}

/** Recent searches, newest first, each once, at most `max`. */
export function addRecent(recent: readonly string[], q: string, max = 8): string[] {
  const text = q.trim();
  if (!text) return [...recent];
  return [text, ...recent.filter((r) => r !== text)].slice(0, max);
}
