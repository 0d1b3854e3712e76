import { emptyMessageExtras } from '@echora/shared';
import { describe, expect, it } from 'vitest';
import type { LocalMessage } from './engine-port.ts';
import { buildTimeline, dayLabel, newDividerIndex } from './timeline.ts';

const alice = '0190e7a0-0000-7000-8000-000000000001';
const bob = '0190e7a0-0000-7000-8000-000000000002';

function msg(
  id: number,
  authorId: string,
  createdAt: string,
  status: LocalMessage['status'] = 'sent',
): LocalMessage {
  return {
    id: `0190e7a0-0000-7000-8000-${String(id).padStart(12, '0')}`,
    channelId: '0190e7a0-0000-7000-8000-00000000aaaa',
    authorId,
    content: `m${id}`,
    seq: id,
    createdAt,
    editedAt: null,
    ...emptyMessageExtras(),
    status,
    sortKey: id,
  };
}

describe('buildTimeline', () => {
  it('groups one author within five minutes and breaks on author, gap, day and failure', () => {
    const items = buildTimeline([
      msg(1, alice, '2026-03-01T10:00:00'),
      msg(2, alice, '2026-03-01T10:04:00'),
      msg(3, bob, '2026-03-01T10:05:00'),
      msg(4, bob, '2026-03-01T10:20:00'),
      msg(5, bob, '2026-03-02T10:21:00', 'failed'),
      msg(6, bob, '2026-03-02T10:22:00'),
    ]);
    const shape = items.map((i) =>
      i.type === 'day' ? 'day' : `${i.message.content}:${i.grouped}`,
    );
    expect(shape).toEqual([
      'day',
      'm1:false',
      'm2:true',
      'm3:false',
      'm4:false',
      'day',
      'm5:false',
      'm6:false',
    ]);
  });

  it('renders the first row the same once the message before it is loaded', () => {
    const older = msg(1, alice, '2026-03-01T10:00:00');
    const first = msg(2, alice, '2026-03-01T10:01:00');
    const withContext = buildTimeline([first], older);
    const afterLoad = buildTimeline([older, first]).slice(-1);
    expect(withContext).toEqual(afterLoad);
    expect(withContext).toEqual([
      { type: 'message', key: first.id, message: first, grouped: true },
    ]);
  });

  it('labels today and yesterday by name', () => {
    const now = new Date('2026-03-02T12:00:00');
    expect(dayLabel('2026-03-02T01:00:00', now)).toBe('Today');
    expect(dayLabel('2026-03-01T23:00:00', now)).toBe('Yesterday');
    expect(dayLabel('2026-02-01T23:00:00', now)).toContain('2026');
  });
});

describe('newDividerIndex', () => {
  const at = (i: number) => `2026-01-01T10:${String(i).padStart(2, '0')}:00.000Z`;
  const rows = (...messages: LocalMessage[]) =>
    buildTimeline(messages).filter((r) => r.type === 'message');

  it('goes before the first message by someone else after the read mark', () => {
    const list = rows(msg(1, bob, at(1)), msg(2, alice, at(2)), msg(3, bob, at(3)));
    expect(newDividerIndex(list, 1, alice, false)).toBe(2);
  });

  it('skips my own and unconfirmed messages', () => {
    const list = rows(msg(1, bob, at(1)), msg(2, alice, at(2)), msg(3, bob, at(3), 'pending'));
    expect(newDividerIndex(list, 1, alice, false)).toBe(-1);
  });

  it('waits for the boundary: none while every loaded message is unread, until the start', () => {
    const list = rows(msg(5, bob, at(5)), msg(6, bob, at(6)));
    expect(newDividerIndex(list, 2, alice, false)).toBe(-1);
    expect(newDividerIndex(list, 2, alice, true)).toBe(0);
    const older = rows(msg(2, bob, at(2)), msg(5, bob, at(5)), msg(6, bob, at(6)));
    expect(newDividerIndex(older, 2, alice, false)).toBe(1);
  });
});
