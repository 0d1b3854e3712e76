import { describe, expect, it } from 'vitest';
import { newId } from '@echora/shared';
import { forgetReplica } from './forget.ts';
import { PENDING_SORT_BASE, type LocalMessage } from './replica.ts';
import { memoryReplica } from './test-replica.ts';

const message = (channelId: string, sortKey: number, status: LocalMessage['status']) =>
  ({ id: newId(), channelId, sortKey, status, content: 'x' }) as unknown as LocalMessage;

describe('forgetting the replica of a removed member', () => {
  it('counts queued and failed sends among many held messages, then holds nothing', async () => {
    const r = memoryReplica();
    const [a, b] = [newId(), newId()];
    await r.messages.bulkPut([
      ...Array.from({ length: 300 }, (_, i) => message(i % 2 ? a : b, i + 1, 'sent')),
      message(a, PENDING_SORT_BASE + 1, 'failed'),
      message(b, PENDING_SORT_BASE + 2, 'failed'),
      message(b, PENDING_SORT_BASE + 3, 'pending'),
    ]);
    await r.outbox.bulkAdd([
      { name: 'message.send', args: {}, keys: [], createdAt: '' },
      {
        name: 'message.send',
        args: {},
        keys: [],
        createdAt: '',
        acked: { scope: 'community', version: 1 },
      },
      { name: 'reaction.toggle', args: {}, keys: [], createdAt: '' },
    ]);
    expect(await forgetReplica(r)).toBe(3);
    for (const table of r.tables) expect(await table.count(), table.name).toBe(0);
  });
});
