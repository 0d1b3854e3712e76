import { EmojiRules, emojiNameProblem, type Emoji } from '@echora/shared';
import { ApiError } from '../api/http.ts';
import { apiBase } from '../lib/config.ts';
import type { ReplicaPort } from '../lib/engine-port.ts';
import { kvGet, kvSet } from '../lib/kv.ts';
import { LiveQuery } from '../lib/live-query.svelte.ts';
import { handleError } from './toasts.svelte.ts';

const RECENTS = 'emojiRecents';
const MAX_RECENTS = 24;

/** Where an emoji image loads from (the server names it under `/api`). */
export function emojiSrc(url: string): string {
  return url.startsWith('/api/') ? `${apiBase}${url.slice(4)}` : url;
}

/** Custom emoji from the replica, the picker's recents (kept in kv), upload and delete. */
export class EmojiState {
  #list: LiveQuery<null, Emoji[]>;
  recents: string[] = $state([]);

  list = $derived.by(() => [...this.#list.current].sort((a, b) => a.name.localeCompare(b.name)));
  // Rebuilt whole when the list changes, never mutated.
  // eslint-disable-next-line svelte/prefer-svelte-reactivity
  byName = $derived(new Map(this.list.map((e) => [e.name, e])));

  constructor(
    private readonly replica: ReplicaPort,
    private readonly getToken: () => Promise<string | null>,
  ) {
    this.#list = new LiveQuery(
      () => null,
      () => replica.emojis.toArray(),
      [],
      (e) => handleError(e),
    );
    kvGet<string[]>(replica, RECENTS).then(
      (r) => (this.recents = r ?? []),
      (e: unknown) => handleError(e),
    );
  }

  /** The custom emoji a `:name:` reaction names, if it still exists. */
  custom(emoji: string): Emoji | undefined {
    const name = /^:([a-z0-9_]+):$/.exec(emoji)?.[1];
    return name === undefined ? undefined : this.byName.get(name);
  }

  /** Puts an emoji first in the recents. */
  used(emoji: string): void {
    this.recents = [emoji, ...this.recents.filter((e) => e !== emoji)].slice(0, MAX_RECENTS);
    kvSet(this.replica, RECENTS, $state.snapshot(this.recents)).catch((e: unknown) =>
      handleError(e),
    );
  }

  /** Why this upload would be refused, checked before sending (the server checks again). */
  problem(name: string, file: File): string | undefined {
    const bad = emojiNameProblem(name);
    if (bad) return bad;
    if (this.byName.has(name)) return `name: :${name}: is already taken`;
    if (file.size > EmojiRules.maxBytes) return 'file: a custom emoji is at most 256 KB';
    return undefined;
  }

  /** Uploads an image as `:name:` (manage community); the replica learns of it through sync. */
  async upload(name: string, file: File): Promise<Emoji> {
    const response = await fetch(`${apiBase}/emoji?name=${encodeURIComponent(name)}`, {
      method: 'POST',
      headers: { authorization: `Bearer ${(await this.getToken()) ?? ''}` },
      body: file,
    });
    const data = (await response.json().catch(() => ({}))) as {
      emoji?: Emoji;
      error?: { kind: ApiError['kind']; message: string };
    };
    if (!response.ok || !data.emoji) {
      throw new ApiError(
        data.error?.kind ?? 'unavailable',
        data.error?.message ?? `Upload failed (${response.status})`,
        response.status,
      );
    }
    return data.emoji;
  }

  async remove(id: string): Promise<void> {
    const response = await fetch(`${apiBase}/emoji/${id}`, {
      method: 'DELETE',
      headers: { authorization: `Bearer ${(await this.getToken()) ?? ''}` },
    });
    if (!response.ok) {
      const data = (await response.json().catch(() => ({}))) as {
        error?: { kind: ApiError['kind']; message: string };
      };
      throw new ApiError(
        data.error?.kind ?? 'unavailable',
        data.error?.message ?? `Delete failed (${response.status})`,
        response.status,
      );
    }
  }
}
