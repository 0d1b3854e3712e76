/** A unicode emoji as the picker lists it. */
export interface UnicodeEmoji {
  emoji: string;
  name: string;
  slug: string;
}

export interface EmojiGroup {
  name: string;
  slug: string;
  emojis: UnicodeEmoji[];
}

let loading: Promise<EmojiGroup[]> | undefined;

/** The unicode emoji by group (about 400 KB of JSON, loaded the first time the picker opens). */
export function loadEmojiGroups(): Promise<EmojiGroup[]> {
  loading ??= import('unicode-emoji-json/data-by-group.json').then((m) =>
    (m.default as EmojiGroup[]).map((g) => ({
      name: g.name,
      slug: g.slug,
      emojis: g.emojis.map(({ emoji, name, slug }) => ({ emoji, name, slug })),
    })),
  );
  return loading;
}

/** Emoji whose name matches every word of `query`, names starting with it first. */
export function searchEmoji(groups: EmojiGroup[], query: string, limit = 120): UnicodeEmoji[] {
  const words = query
    .toLowerCase()
    .trim()
    .split(/[\s_:]+/)
    .filter(Boolean);
  if (words.length === 0) return [];
  const hits = groups
    .flatMap((g) => g.emojis)
    .filter((e) => words.every((w) => e.name.includes(w) || e.slug.includes(w)));
  const first = words[0] ?? '';
  hits.sort((a, b) => Number(!a.name.startsWith(first)) - Number(!b.name.startsWith(first)));
  return hits.slice(0, limit);
}
