import { describe, expect, it } from 'vitest';
import { searchSwitcher, type SwitcherItem } from './switcher-search.ts';

const item = (
  key: string,
  kind: SwitcherItem['kind'],
  label: string,
  extra: Partial<SwitcherItem> = {},
): SwitcherItem => ({ key, kind, label, detail: '', unread: false, mentions: 0, ...extra });

const items = [
  item('c1', 'channel', 'general'),
  item('c2', 'channel', 'random', { unread: true }),
  item('c3', 'channel', 'release-announcements', { mentions: 2, unread: true }),
  item('v1', 'voice', 'General'),
  item('t1', 'thread', 'launch plan', { detail: 'general' }),
  item('p1', 'person', 'Bob Builder', { detail: 'bob' }),
  item('p2', 'person', 'Alice', { detail: 'alice' }),
];

const keys = (found: SwitcherItem[]) => found.map((i) => i.key);

describe('searchSwitcher', () => {
  it('lists channels with mentions, then unread, then the rest when nothing is typed', () => {
    expect(keys(searchSwitcher(items, ''))).toEqual(['c3', 'c2', 'c1', 'v1', 't1']);
  });

  it('matches letters in order, not only prefixes', () => {
    expect(keys(searchSwitcher(items, 'rlsann'))).toEqual(['c3']);
    expect(keys(searchSwitcher(items, 'gen')).slice(0, 2).sort()).toEqual(['c1', 'v1']);
  });

  it('finds people by display name or username', () => {
    expect(keys(searchSwitcher(items, 'builder'))).toEqual(['p1']);
    expect(keys(searchSwitcher(items, 'alice'))).toEqual(['p2']);
  });

  it('narrows to channels with # and to people with @', () => {
    expect(searchSwitcher(items, '#a').every((i) => i.kind !== 'person')).toBe(true);
    expect(keys(searchSwitcher(items, '@b'))).toEqual(['p1']);
  });

  it('finds nothing for letters that are not there', () => {
    expect(searchSwitcher(items, 'zzqx')).toEqual([]);
  });
});
