import { describe, expect, it } from 'vitest';
import { emptyMessageExtras, newId, USER_SETTINGS_ID, withDefaults } from '@echora/shared';
import { applyMutation, localRule, touches, type EntityRow } from './optimistic.ts';
import { PENDING_SORT_BASE, type OutboxEntry } from './replica.ts';

const ctx = { userId: newId() };
const channelId = newId();
const at = '2026-01-01T00:00:00.000Z';

type Step = Omit<OutboxEntry, 'keys'>;

function fold(entries: Step[], start: EntityRow | null): EntityRow | null {
  let row = start;
  for (const entry of entries) {
    for (const ref of touches(entry)) row = applyMutation(entry, ref, row, ctx);
  }
  return row;
}

describe('optimistic effects', () => {
  it('sends, edits, then deletes a message, in order', () => {
    const id = newId();
    const send: Step = {
      id: 7,
      name: 'message.send',
      args: { id, channelId, content: 'hi' },
      createdAt: at,
    };
    const edit: Step = {
      id: 8,
      name: 'message.edit',
      args: { id, content: 'hello' },
      createdAt: at,
      local: { channelId },
    };
    const sent = fold([send], null);
    expect(sent).toMatchObject({
      id,
      content: 'hi',
      status: 'pending',
      sortKey: PENDING_SORT_BASE + 7,
    });
    expect(fold([send, edit], null)).toMatchObject({
      content: 'hello',
      editedAt: at,
      status: 'pending',
    });
    expect(
      fold([send, edit, { id: 9, name: 'message.delete', args: { id }, createdAt: at }], null),
    ).toBeNull();
  });

  it('keeps the server row when a send is replayed after it arrived', () => {
    const id = newId();
    const server = {
      id,
      channelId,
      authorId: ctx.userId,
      content: 'hi',
      seq: 4,
      createdAt: at,
      editedAt: null,
      ...emptyMessageExtras(),
    };
    const row = { ...server, status: 'sent' as const, sortKey: 4 };
    const send: Step = {
      id: 1,
      name: 'message.send',
      args: { id, channelId, content: 'hi' },
      createdAt: at,
    };
    expect(fold([send], row)).toBe(row);
  });

  it('reorders the listed channels and names the scopes touched', () => {
    const [a, b] = [newId(), newId()];
    const reorder: Step = { name: 'channel.reorder', args: { ids: [b, a] }, createdAt: at };
    expect(touches(reorder).map((r) => [r.id, r.scope])).toEqual([
      [b, 'community'],
      [a, 'community'],
    ]);
    const channel = {
      id: a,
      kind: 'text' as const,
      name: 'a',
      topic: '',
      position: 0,
      createdAt: at,
      parentId: null,
      parentMessageId: null,
      overrides: [],
    };
    expect(fold([reorder], channel)).toMatchObject({ position: 1 });
  });

  it('refuses blank content and names before they are queued', () => {
    expect(localRule('message.send', { id: newId(), channelId, content: '  \n' })).toMatch(/blank/);
    expect(localRule('channel.create', { id: newId(), kind: 'text', name: ' ' })).toMatch(/blank/);
    expect(localRule('message.send', { id: newId(), channelId, content: 'ok' })).toBeUndefined();
  });
});

describe('optimistic settings', () => {
  it('settings.update shows at once over the defaults, then over what the server had', () => {
    const light: Step = { id: 1, name: 'settings.update', args: { theme: 'light' }, createdAt: at };
    const bigger: Step = { id: 2, name: 'settings.update', args: { fontSize: 18 }, createdAt: at };
    expect(touches(light)).toEqual([{ entity: 'userSettings', id: USER_SETTINGS_ID, scope: '' }]);
    expect(fold([light, bigger], null)).toEqual({
      ...withDefaults(null),
      theme: 'light',
      fontSize: 18,
    });
    const server = { ...withDefaults(null), compact: true };
    expect(fold([bigger], server)).toEqual({ ...server, fontSize: 18 });
  });
});
