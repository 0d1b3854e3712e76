import { emptyMessageExtras } from '@echora/shared';
import { describe, expect, it } from 'vitest';
import type { LocalMessage } from './engine-port.ts';
import { buildTimeline, dayLabel } from './timeline.ts';

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
