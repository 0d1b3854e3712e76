import { describe, expect, it } from 'vitest';
import { parseQuery, type SearchQuery } from '@echora/shared';
import { DeviceIndex, type IndexedMessage, type SearchNames } from './device-index.ts';

const names: SearchNames = {
  users: { alice: 'u-alice', bob: 'u-bob' },
  channels: { general: ['c-general'], ops: ['c-ops'] },
};

let n = 0;
function doc(content: string, extra: Partial<IndexedMessage> = {}): IndexedMessage {
  n++;
  return {
    id: `m-${String(n).padStart(4, '0')}`,
    channelId: 'c-general',
    authorId: 'u-alice',
    content,
    createdAt: '2026-06-01T00:00:00.000Z',
    pinned: false,
    hasFile: false,
    hasImage: false,
    hasLink: /https?:\/\//.test(content),
    mentions: [],
    ...extra,
  };
}

function q(text: string): SearchQuery {
  const r = parseQuery(text);
  if (!r.ok) throw new Error(r.error);
  return r.query;
}

describe('DeviceIndex', () => {
  const index = new DeviceIndex();
  const cafe = doc('Rendez-vous au Café Crème');
  const tokyo = doc('明日は東京都に行きます');
  const pizza = doc('dinner 🍕 tonight ❤️');
  const train = doc('the release train leaves', { authorId: 'u-bob', channelId: 'c-ops' });
  const other = doc('train the release crew', { pinned: true, mentions: ['u-bob'] });
  const old = doc('release of 2020 https://x.example', { createdAt: '2020-01-01T00:00:00.000Z' });
  const naive = doc('a NAÏVE idea, Ｆｕｌｌ width');
  const family = doc('family 👨‍👩‍👧 and a wave 👋🏽 🇯🇵');
  const korean = doc('내일 서울에서 만나요');
  for (const d of [cafe, tokyo, pizza, train, other, old, naive, family, korean]) index.put(d);
  const ids = (text: string) => index.search(q(text), names).map((h) => h.id);

  it.each([
    ['cafe', [cafe.id]],
    ['CAFÉ crème', [cafe.id]],
    ['東京都', [tokyo.id]],
    ['東', [tokyo.id]],
    ['大阪', []],
    ['🍕', [pizza.id]],
    ['❤️', [pizza.id]],
    ['❤', [pizza.id]],
    ['naive', [naive.id]],
    ['naïve full', [naive.id]],
    ['👨‍👩‍👧', [family.id]],
    ['👋🏽', [family.id]],
    ['🇯🇵', [family.id]],
    ['서울', [korean.id]],
    ['京', [tokyo.id]],
    ['"release train"', [train.id]],
    ['release from:bob', [train.id]],
    ['release in:#general', [other.id, old.id]],
    ['mentions:@bob', [other.id]],
    ['release pinned:true', [other.id]],
    ['release before:2021-01-01', [old.id]],
    ['has:link', [old.id]],
    ['release has:link after:2021-01-01', []],
  ])('%s', (text, expected) => {
    expect(new Set(ids(text))).toEqual(new Set(expected));
  });

  it('answers newest first, whatever the order they were indexed in', () => {
    const local = new DeviceIndex();
    const at = (day: number) => `2026-01-${String(day).padStart(2, '0')}T00:00:00.000Z`;
    const docs = [3, 1, 4, 2].map((day) => doc(`otter ${day}`, { createdAt: at(day) }));
    for (const d of docs) local.put(d);
    expect(local.search(q('otter'), names).map((h) => h.snippet.at(-1)?.text)).toEqual([
      ' 4',
      ' 3',
      ' 2',
      ' 1',
    ]);
    expect(local.search(q('otter'), names, 2)).toHaveLength(2);
  });

  it('marks the matching text in snippets', () => {
    expect(index.search(q('cafe'), names)[0]?.snippet).toEqual([
      { text: 'Rendez-vous au ', hit: false },
      { text: 'Café', hit: true },
      { text: ' Crème', hit: false },
    ]);
  });

  it('follows edits, deletes and revoked channels', () => {
    const local = new DeviceIndex();
    const a = doc('the quokka sleeps');
    const b = doc('a quokka in ops', { channelId: 'c-ops' });
    local.put(a);
    local.put(b);
    expect(local.search(q('quokka'), names)).toHaveLength(2);
    local.put({ ...a, content: 'the wombat sleeps' });
    expect(local.search(q('quokka'), names).map((h) => h.id)).toEqual([b.id]);
    expect(local.search(q('wombat'), names).map((h) => h.id)).toEqual([a.id]);
    local.put({ ...a, content: 'the wombat sleeps' });
    expect(local.size).toBe(2);
    expect(local.search(q('wombat pinned:true'), names)).toEqual([]);
    local.put({ ...a, content: 'the wombat sleeps', pinned: true });
    expect(local.search(q('wombat pinned:true'), names).map((h) => h.id)).toEqual([a.id]);
    local.retain(new Set([a.id]));
    expect(local.search(q('quokka'), names)).toEqual([]);
    local.remove(a.id);
    expect(local.size).toBe(0);
  });
});
