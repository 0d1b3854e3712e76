import { describe, expect, it } from 'vitest';
import { emptyMessageExtras, type Message } from '@echora/shared';
import { addRecent, groupByChannel, mergeHits } from './merge.ts';

const msg = (id: string, channelId: string): Message => ({
  id,
  channelId,
  authorId: 'u',
  content: id,
  seq: 1,
  createdAt: '2026-01-01T00:00:00.000Z',
  editedAt: null,
  ...emptyMessageExtras(),
});
const part = [{ text: 'x', hit: true }];

describe('mergeHits', () => {
  const a = msg('a', 'c1');
  const b = msg('b', 'c2');
  const c = msg('c', 'c1');
  const rows = new Map([a, b, c].map((m) => [m.id, m]));
  const device = [
    { id: 'c', channelId: 'c1', score: 3, snippet: part },
    { id: 'a', channelId: 'c1', score: 1, snippet: part },
  ];

  it('keeps server order, adds device-only results once, marked', () => {
    const merged = mergeHits(
      [
        { message: b, snippet: part },
        { message: a, snippet: part },
      ],
      device,
      rows,
    );
    expect(merged.map((h) => [h.message.id, h.deviceOnly])).toEqual([
      ['b', false],
      ['a', false],
      ['c', true],
    ]);
    expect(
      groupByChannel(merged).map((g) => [g.channelId, g.hits.map((h) => h.message.id)]),
    ).toEqual([
      ['c2', ['b']],
      ['c1', ['a', 'c']],
    ]);
  });

  it('offline, the device results are the results (not marked)', () => {
    expect(mergeHits(null, device, rows).map((h) => [h.message.id, h.deviceOnly])).toEqual([
      ['c', false],
      ['a', false],
    ]);
  });

  it('keeps recent searches newest first, once each', () => {
    expect(addRecent(['b', 'a'], ' a ')).toEqual(['a', 'b']);
    expect(addRecent([], '  ')).toEqual([]);
    expect(addRecent(['1', '2', '3'], '4', 3)).toEqual(['4', '1', '2']);
  });
});
