import { Dexie } from 'dexie';
import { IDBFactory, IDBKeyRange } from 'fake-indexeddb';
import { newId } from '@echora/shared';
import { describe, expect, it } from 'vitest';
import { memoryReplica } from './test-replica.ts';

describe('replica upgrade from version 1', () => {
  it('keeps the rows held and gives them the fields version 2 added', async () => {
    const factory = new IDBFactory();
    const name = `echora-${newId()}`;
    const [channelId, messageId, userId] = [newId(), newId(), newId()];
    // A version-1 replica as an earlier release left it.
    const old = new Dexie(name, { indexedDB: factory, IDBKeyRange });
    old.version(1).stores({
      channels: 'id, position',
      members: 'id',
      messages: 'id, [channelId+sortKey], channelId',
      cursors: 'scope',
      outbox: '++id, seq, *keys, acked.scope',
      shadows: 'key, scope',
      kv: 'key',
    });
    await old.table('channels').put({
      id: channelId,
      kind: 'text',
      name: 'general',
      topic: '',
      position: 0,
      createdAt: '2026-01-01T00:00:00.000Z',
    });
    await old.table('messages').put({
      id: messageId,
      channelId,
      authorId: userId,
      content: 'kept',
      seq: 1,
      createdAt: '2026-01-01T00:00:00.000Z',
      editedAt: null,
      status: 'sent',
      sortKey: 1,
    });
    await old.table('members').put({
      id: userId,
      username: 'alice',
      displayName: 'Alice',
      isOwner: true,
      joinedAt: '2026-01-01T00:00:00.000Z',
    });
    old.close();

    const r = memoryReplica(factory, name);
    expect(await r.messages.get(messageId)).toMatchObject({
      content: 'kept',
      reactions: [],
      attachments: [],
      replyToId: null,
      mentions: { users: [], roles: [], everyone: false },
    });
    expect(await r.channels.get(channelId)).toMatchObject({ name: 'general', overrides: [] });
    expect(await r.members.get(userId)).toMatchObject({ username: 'alice', roleIds: [], bio: '' });
    expect(await r.roles.count()).toBe(0);
    r.close();
  });
});
