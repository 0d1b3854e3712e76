import type { Channel, Member } from '@echora/shared';
import { searchSwitcher, type SwitcherItem } from '../lib/switcher-search.ts';
import type { ChannelUnread } from './unread.svelte.ts';

/** What the switcher reads from the rest of the app. */
export interface SwitcherSources {
  /** Every channel I can see (text, voice, threads), in sidebar order. */
  channels: () => readonly Channel[];
  members: () => readonly Member[];
  selfId: string;
  unread: (channelId: string) => ChannelUnread;
  currentId: () => string | undefined;
}

/** The quick switcher (Ctrl/Cmd+K), the shortcuts sheet (Ctrl+/) and moving between channels. */
export class Switcher {
  isOpen = $state(false);
  sheetOpen = $state(false);
  query = $state('');

  /** Every destination, channels in sidebar order, then threads, then people. */
  items: SwitcherItem[] = $derived.by(() => {
    const s = this.sources;
    const all = s.channels();
    // Rebuilt whole with the list, never mutated.
    // eslint-disable-next-line svelte/prefer-svelte-reactivity
    const name = new Map(all.map((c) => [c.id, c.name]));
    const channelItems = all
      // Direct conversations are reached through their people.
      .filter((c) => c.kind !== 'thread' && c.kind !== 'dm')
      .sort((a, b) => Number(a.kind === 'voice') - Number(b.kind === 'voice'))
      .map((c): SwitcherItem => {
        const u = s.unread(c.id);
        return {
          key: c.id,
          kind: c.kind === 'voice' ? 'voice' : 'channel',
          label: c.name,
          detail: c.topic,
          unread: u.unread && !u.muted && c.id !== s.currentId(),
          mentions: u.mentions,
        };
      });
    const threads = all
      .filter((c) => c.kind === 'thread')
      .map((c): SwitcherItem => {
        const u = s.unread(c.id);
        return {
          key: c.id,
          kind: 'thread',
          label: c.name,
          detail: name.get(c.parentId ?? '') ?? '',
          unread: u.unread && !u.muted,
          mentions: u.mentions,
        };
      });
    const people = s
      .members()
      .filter((m) => m.id !== s.selfId)
      .map((m): SwitcherItem => ({
        key: m.id,
        kind: 'person',
        label: m.displayName,
        detail: m.username,
        unread: false,
        mentions: 0,
      }));
    return [...channelItems, ...threads, ...people];
  });

  results: SwitcherItem[] = $derived(searchSwitcher(this.items, this.query));

  constructor(private readonly sources: SwitcherSources) {}

  open(): void {
    this.query = '';
    this.sheetOpen = false;
    this.isOpen = true;
  }

  close(): void {
    this.isOpen = false;
  }

  toggleSheet(): void {
    this.isOpen = false;
    this.sheetOpen = !this.sheetOpen;
  }

  /**
   * The text channel `step` places from the open one in sidebar order,
   * wrapping; with `unreadOnly`, the next one with unread messages (none: undefined).
   */
  neighbour(step: 1 | -1, unreadOnly: boolean): Channel | undefined {
    const text = this.sources.channels().filter((c) => c.kind === 'text');
    if (text.length === 0) return undefined;
    const at = text.findIndex((c) => c.id === this.sources.currentId());
    for (let i = 1; i <= text.length; i++) {
      const candidate = text[(((at + step * i) % text.length) + text.length) % text.length];
      if (!candidate || candidate.id === this.sources.currentId()) continue;
      if (!unreadOnly) return candidate;
      const u = this.sources.unread(candidate.id);
      if (u.unread && !u.muted) return candidate;
    }
    return undefined;
  }
}
