import fuzzysort from 'fuzzysort';

/** What the quick switcher can jump to. DMs will be one more kind from one more source. */
export type SwitcherKind = 'channel' | 'voice' | 'thread' | 'person';

/** One thing to jump to. `key` is unique across kinds. */
export interface SwitcherItem {
  key: string;
  kind: SwitcherKind;
  /** What is matched and shown: a channel's name, a person's display name. */
  label: string;
  /** Also matched, shown smaller: a username, a thread's parent channel. */
  detail: string;
  /** Unread messages in it: ranked first when nothing is typed. */
  unread: boolean;
  /** Mentions of me in it. */
  mentions: number;
}

/** How many results the switcher lists. */
export const SWITCHER_LIMIT = 20;

/**
 * Items matching `query` by fuzzy match (fuzzysort: letters in order, word
 * starts and runs count more) over label and detail, best first. With
 * nothing typed: channels with mentions, then unread ones, then the rest, in
 * the order given.
 */
export function searchSwitcher(
  items: readonly SwitcherItem[],
  query: string,
  limit = SWITCHER_LIMIT,
): SwitcherItem[] {
  const q = query.trim().replace(/^[#@]/, '');
  if (q === '') {
    const rank = (i: SwitcherItem) => (i.mentions > 0 ? 0 : i.unread ? 1 : 2);
    return items
      .filter((i) => i.kind !== 'person')
      .map((item, index) => ({ item, index }))
      .sort((a, b) => rank(a.item) - rank(b.item) || a.index - b.index)
      .slice(0, limit)
      .map(({ item }) => item);
  }
  // A leading # asks for channels, @ for people.
  const only = query.trim().startsWith('#')
    ? (i: SwitcherItem) => i.kind !== 'person'
    : query.trim().startsWith('@')
      ? (i: SwitcherItem) => i.kind === 'person'
      : () => true;
  const results = fuzzysort.go(q, items.filter(only), {
    keys: ['label', 'detail'],
    limit,
    threshold: 0.2,
    // The label counts more than the detail.
    scoreFn: (r) => Math.max(r[0]?.score ?? 0, (r[1]?.score ?? 0) * 0.8),
  });
  return results.map((r) => r.obj);
}
