import { afterEach, describe, expect, it } from 'vitest';
import { emptyMessageExtras, newId, parseQuery, type SearchQuery } from '@echora/shared';
import type { LocalMessage } from '../../sync/replica.ts';
import { memoryReplica } from '../../sync/test-replica.ts';
import { DeviceIndex } from './device-index.ts';
import { ReplicaFollower } from './follow-replica.ts';

const channelId = newId();
const names = { users: {}, channels: {} };

function q(text: string): SearchQuery {
  const r = parseQuery(text);
  if (!r.ok) throw new Error(r.error);
  return r.query;
}

let seq = 0;
function row(content: string, channel = channelId): LocalMessage {
  seq++;
  return {
    id: newId(),
    channelId: channel,
    authorId: newId(),
    content,
    seq,
    createdAt: new Date(Date.UTC(2026, 0, 1, 0, 0, seq)).toISOString(),
    editedAt: null,
    ...emptyMessageExtras(),
    status: 'sent',
    sortKey: seq,
  };
}

const found = (index: DeviceIndex, text: string) => index.search(q(text), names).map((h) => h.id);

const followers: ReplicaFollower[] = [];
afterEach(() => followers.splice(0).forEach((f) => f.stop()));

describe('ReplicaFollower', () => {
  it('reads the replica once, then indexes only the rows each write touched', async () => {
    const replica = memoryReplica();
    const kept = Array.from({ length: 200 }, (_, i) => row(`old message ${i}`));
    await replica.messages.bulkPut(kept);
    const index = new DeviceIndex();
    const follower = new ReplicaFollower(replica, index);
    followers.push(follower);
    await follower.start();
    expect(index.size).toBe(200);

    const fresh = row('a brand new kiwi');
    await replica.messages.put(fresh);
    await follower.settled();
    expect(found(index, 'kiwi')).toEqual([fresh.id]);

    await replica.messages.update(fresh.id, { content: 'now about mangoes' });
    await follower.settled();
    expect(found(index, 'kiwi')).toEqual([]);
    expect(found(index, 'mangoes')).toEqual([fresh.id]);

    await replica.messages.delete(kept[0]?.id ?? '');
    await follower.settled();
    expect(index.size).toBe(200);
    // Not one more full read for three single-row writes.
    expect(follower.fullReads).toBe(1);
  });

  it('a write over a range (a purged channel, a cleared replica) reads everything again', async () => {
    const replica = memoryReplica();
    const other = newId();
    await replica.messages.bulkPut([row('stays here'), row('purged away', other)]);
    const index = new DeviceIndex();
    const follower = new ReplicaFollower(replica, index);
    followers.push(follower);
    await follower.start();
    expect(found(index, 'purged')).toHaveLength(1);

    await replica.messages.where('channelId').equals(other).delete();
    await follower.settled();
    expect(found(index, 'purged')).toEqual([]);
    expect(found(index, 'stays')).toHaveLength(1);

    await replica.messages.clear();
    await follower.settled();
    expect(index.size).toBe(0);
  });
});
