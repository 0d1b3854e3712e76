import { describe, expect, it } from 'vitest';
import { channelScope, emptyMessageExtras, newId, type Message, type Poll } from '@echora/shared';
import { applyChanges } from '../apply.ts';
import { enqueue } from '../outbox.ts';
import { confirmed } from '../replica.ts';
import { memoryReplica } from '../test-replica.ts';

const ctx = { userId: newId() };
const other = newId();
const channelId = newId();
const at = '2026-01-01T00:00:00.000Z';

const poll = (anonymous: boolean, votes: number[], voterIds?: string[][]): Poll => ({
  question: 'Lunch?',
  options: ['Pizza', 'Sushi', 'Tacos'].map((text, id) => ({
    id,
    text,
    votes: votes[id] ?? 0,
    ...(anonymous ? {} : { voterIds: voterIds?.[id] ?? [] }),
  })),
  multiple: false,
  anonymous,
  endsAt: null,
  closedAt: null,
  voters: votes.reduce((a, b) => a + b, 0),
});
const pollMessage = (p: Poll): Message => ({
  id: newId(),
  channelId,
  authorId: other,
  content: p.question,
  seq: 3,
  createdAt: at,
  editedAt: null,
  ...emptyMessageExtras(),
  poll: p,
});

describe('optimistic poll votes', () => {
  it('a queued vote on a named poll shows at once, moves on a change and goes on a retract', async () => {
    const r = memoryReplica();
    const m = pollMessage(poll(false, [1, 0, 0], [[other]]));
    await r.messages.put(confirmed(m));
    await enqueue(r, 'poll.vote', { pollId: m.id, optionIds: [1] }, ctx);
    let row = await r.messages.get(m.id);
    expect(row?.poll?.options.map((o) => o.votes)).toEqual([1, 1, 0]);
    expect(row?.poll?.options[1]?.voterIds).toEqual([ctx.userId]);
    expect(row?.poll?.voters).toBe(2);
    expect(await r.pollVotes.get(m.id)).toEqual({ id: m.id, channelId, optionIds: [1] });

    await enqueue(r, 'poll.vote', { pollId: m.id, optionIds: [2] }, ctx);
    row = await r.messages.get(m.id);
    expect(row?.poll?.options.map((o) => o.votes)).toEqual([1, 0, 1]);
    expect(row?.poll?.voters).toBe(2);

    await enqueue(r, 'poll.vote', { pollId: m.id, optionIds: [] }, ctx);
    row = await r.messages.get(m.id);
    expect(row?.poll?.options.map((o) => o.votes)).toEqual([1, 0, 0]);
    expect(row?.poll?.voters).toBe(1);
    expect(await r.pollVotes.get(m.id)).toBeUndefined();
  });

  it('an anonymous poll takes back the choice recorded when the vote was queued', async () => {
    const r = memoryReplica();
    const m = pollMessage(poll(true, [2, 1, 0]));
    await r.messages.put(confirmed(m));
    await r.pollVotes.put({ id: m.id, channelId, optionIds: [0] });
    await enqueue(r, 'poll.vote', { pollId: m.id, optionIds: [1] }, ctx);
    const row = await r.messages.get(m.id);
    expect(row?.poll?.options.map((o) => o.votes)).toEqual([1, 2, 0]);
    expect(row?.poll?.voters).toBe(3);
    expect(JSON.stringify(row?.poll)).not.toContain('voterIds');
    expect((await r.pollVotes.get(m.id))?.optionIds).toEqual([1]);
  });

  it('the server state replaces the optimistic one when the change arrives', async () => {
    const r = memoryReplica();
    const m = pollMessage(poll(false, [0, 0, 0]));
    await r.messages.put(confirmed(m));
    const scope = channelScope(channelId);
    await r.cursors.put({ scope, version: 3 });
    await enqueue(r, 'poll.vote', { pollId: m.id, optionIds: [0] }, ctx);
    const fromServer = { ...m, poll: poll(false, [2, 0, 0], [[other, ctx.userId]]) };
    await applyChanges(
      r,
      {
        type: 'changes',
        scope,
        from: 3,
        to: 4,
        changes: [{ version: 4, op: 'upsert', entity: 'message', data: fromServer }],
      },
      ctx,
    );
    // Still pending: the server's row plus this device's vote, which it already holds.
    const row = await r.messages.get(m.id);
    expect(row?.poll?.options[0]?.votes).toBe(2);
    expect(row?.poll?.options[0]?.voterIds).toEqual([other, ctx.userId]);
  });

  it('a poll made offline shows as a pending message with its poll', async () => {
    const r = memoryReplica();
    const id = newId();
    await enqueue(
      r,
      'poll.create',
      {
        id,
        channelId,
        question: ' Where? ',
        options: ['Here', 'There'],
        multiple: true,
        anonymous: false,
        durationMinutes: 60,
      },
      ctx,
    );
    const row = await r.messages.get(id);
    expect(row).toMatchObject({ status: 'pending', content: 'Where?', authorId: ctx.userId });
    expect(row?.poll).toMatchObject({
      question: 'Where?',
      multiple: true,
      voters: 0,
      options: [
        { id: 0, text: 'Here', votes: 0, voterIds: [] },
        { id: 1, text: 'There', votes: 0, voterIds: [] },
      ],
    });
    expect(Date.parse(row?.poll?.endsAt ?? '') - Date.parse(row?.createdAt ?? '')).toBe(3_600_000);
  });
});
