import { beforeAll, describe, expect, it } from 'vitest';
import {
  mutationNames,
  newId,
  Permission as P,
  type MutationArgs,
  type MutationName,
} from '@echora/shared';
import {
  CHANNEL_MANAGERS,
  dump,
  HIDDEN_FROM,
  useMatrix,
  type Actor,
} from '../../../test/helpers/authz-matrix.ts';
import { describeEachDb } from '../../../test/helpers/db.ts';

/** A channel, a message in it and a thread on that message: hidden ones, or ids nobody used. */
interface Ids {
  channel: string;
  message: string;
  thread: string;
}

const unused = (): Ids => ({ channel: newId(), message: newId(), thread: newId() });

/**
 * Issue #14, items 6 and 10: someone who may not see a channel learns nothing
 * of it from a mutation. Aimed at a hidden channel or at what is in it, every
 * mutation answers word for word as it does for ids nobody ever used, and
 * changes nothing; "already applied" shortcuts come after the permission
 * check. Channel rename, delete and reorder need view and manage in the
 * channel; moderation refuses a non-moderator before it looks at the target.
 */
describeEachDb('hidden channels do not leak through mutations', (getDb) => {
  const m = useMatrix(getDb);
  let hidden: Ids;

  beforeAll(async () => {
    const channel = await m.makePrivateChannel();
    // The member wrote here and started a thread before they lost sight of it.
    const message = await m.makeMessage(m.ids.member, channel);
    const thread = newId();
    await m.db.query(
      `INSERT INTO channels (id, kind, name, position, parent_id, parent_message_id)
       VALUES ($1, 'thread', 'hidden thread', 0, $2, $3)`,
      [thread, channel, message],
    );
    await m.db.query('INSERT INTO scopes (scope, version) VALUES ($1, 0)', [`channel:${thread}`]);
    await m.app.sync.deps.access.reload();
    hidden = { channel, message, thread };
  });

  /**
   * Every mutation aimed at the channel of `ids` or at what is in it. Role and
   * member-role mutations name no channel, message or thread: there is nothing
   * hidden to aim them at (roles and members are visible to every member; the
   * authorization matrix covers who may change them). Settings belong to the
   * caller alone.
   */
  const aimed: { [N in MutationName]: ((ids: Ids) => MutationArgs<N>) | null } = {
    'channel.create': (ids) => ({ id: ids.channel, kind: 'text', name: 'probe' }),
    'channel.rename': (ids) => ({ id: ids.channel, name: 'probe', topic: 'probe' }),
    'channel.delete': (ids) => ({ id: ids.channel }),
    'channel.reorder': (ids) => ({ ids: [ids.channel] }),
    'message.send': (ids) => ({ id: ids.message, channelId: ids.channel, content: 'probe' }),
    'message.edit': (ids) => ({ id: ids.message, content: 'probe' }),
    'message.delete': (ids) => ({ id: ids.message }),
    'typing.start': (ids) => ({ channelId: ids.channel }),
    'role.create': null,
    'role.update': null,
    'role.delete': null,
    'role.reorder': null,
    'member.roles': null,
    'channel.overrides': (ids) => ({
      channelId: ids.channel,
      targetType: 'role',
      targetId: m.everyoneRole,
      allow: 0,
      deny: P.sendMessages,
    }),
    'thread.create': (ids) => ({
      id: ids.thread,
      channelId: ids.channel,
      messageId: ids.message,
      name: 'probe',
    }),
    'reaction.toggle': (ids) => ({ messageId: ids.message, emoji: '👍', on: true }),
    'message.pin': (ids) => ({ id: ids.message, pinned: true }),
    'message.removePreview': (ids) => ({ id: ids.message }),
    'read.mark': (ids) => ({ channelId: ids.channel, seq: 1 }),
    'channel.mute': (ids) => ({ channelId: ids.channel, muted: true }),
    'settings.update': null,
    // Name a user, not a channel (the DM authorization rows cover them); a
    // group's id that is taken answers "conflict" whatever it is, as for
    // `channel.create`.
    'dm.open': null,
    'dm.create': null,
    'user.block': null,
    'dm.rename': (ids) => ({ id: ids.channel, name: 'probe' }),
    'dm.add': (ids) => ({ id: ids.channel, userIds: [m.ids.member] }),
    'dm.remove': (ids) => ({ id: ids.channel, userId: m.ids.member }),
    'dm.leave': (ids) => ({ id: ids.channel }),
    'message.report': (ids) => ({ messageId: ids.message }),
    'poll.create': (ids) => ({
      id: ids.message,
      channelId: ids.channel,
      question: 'probe',
      options: ['a', 'b'],
      multiple: false,
      anonymous: false,
    }),
    'poll.vote': (ids) => ({ pollId: ids.message, optionIds: [0] }),
    'poll.close': (ids) => ({ pollId: ids.message }),
  };

  /** The answer as text with the ids it was given replaced, so two answers compare word for word. */
  async function answerText<N extends MutationName>(
    actor: Actor,
    name: N,
    ids: Ids,
  ): Promise<string> {
    const build = aimed[name];
    if (!build) throw new Error(`${name} is not aimed`);
    let text = JSON.stringify(await m.answer(actor, name, build(ids)));
    for (const key of ['channel', 'message', 'thread'] as const) {
      text = text.replaceAll(ids[key], `<${key}>`);
    }
    return text;
  }

  for (const name of mutationNames) {
    if (!aimed[name]) continue;
    it(`${name} aimed at a hidden channel answers as for unknown ids and changes nothing`, async () => {
      for (const actor of HIDDEN_FROM) {
        const before = await dump(m.db);
        const known = await answerText(actor, name, hidden);
        expect(await dump(m.db), `${actor}: ${name} changed nothing`).toBe(before);
        if (name === 'channel.create' && CHANNEL_MANAGERS.includes(actor)) {
          // A fresh id would be created. A taken one is refused the same way
          // whether the actor may see its channel or not: "taken" is all it says.
          const visible = await answerText(actor, name, { ...hidden, channel: m.general });
          expect(known.replaceAll(m.general, '<channel>'), actor).toBe(visible);
          expect(known, actor).toContain('"conflict"');
          continue;
        }
        expect(known, `${actor}: ${name}`).toBe(await answerText(actor, name, unused()));
        expect(known, `${actor}: ${name} is refused`).toContain('"reject"');
      }
    });
  }

  it('the member who wrote there and lost sight of it cannot replay their message or thread', async () => {
    const send = aimed['message.send'];
    const thread = aimed['thread.create'];
    if (!send || !thread) throw new Error('not aimed');
    for (const [name, args] of [
      ['message.send', send(hidden)],
      ['thread.create', thread(hidden)],
    ] as const) {
      expect(await m.answer('member', name, args as never), name).toEqual({
        type: 'reject',
        error: { kind: 'not_found', message: 'No such channel.' },
      });
    }
  });

  describe('channel management needs view and manage in the channel', () => {
    const order = async (): Promise<string[]> =>
      (
        await m.db.query<{ id: string }>(
          'SELECT id FROM channels WHERE deleted_at IS NULL ORDER BY position, id',
        )
      ).rows.map((r) => r.id);

    /** A channel every member sees, whose override takes manage channels from the manager. */
    async function unmanaged(): Promise<string> {
      const id = await m.makeChannel();
      await m.db.query(
        `INSERT INTO channel_overrides (channel_id, target_type, target_id, allow, deny)
         VALUES ($1, 'role', $2, 0, $3)`,
        [id, m.managerRole, P.manageChannels],
      );
      await m.app.sync.deps.access.reload();
      return id;
    }

    it('a reorder moves what the manager may manage; hidden channels keep their places', async () => {
      await m.makeChannel();
      const before = await order();
      const fixed = new Set([hidden.channel, hidden.thread]);
      const mine = before.filter((id) => !fixed.has(id)).reverse();
      expect(await m.mutate('manager', 'channel.reorder', { ids: mine })).toEqual({ ok: true });
      const after = await order();
      for (const id of fixed) expect(after.indexOf(id), id).toBe(before.indexOf(id));
      expect(after.filter((id) => !fixed.has(id))).toEqual(mine);
    });

    it('a reorder that would move a channel the manager may not manage is refused; one that leaves it in place is not', async () => {
      const stuck = await unmanaged();
      const other = await m.makeChannel();
      const visible = (await order()).filter((id) => id !== hidden.channel && id !== hidden.thread);
      // `stuck` and `other` are the last two: swapping them moves `stuck`.
      const swapped = [...visible.slice(0, -2), other, stuck];
      const before = await dump(m.db);
      expect(await m.answer('manager', 'channel.reorder', { ids: swapped })).toEqual({
        type: 'reject',
        error: {
          kind: 'forbidden',
          message: 'You need the manage channels permission in every channel you move.',
        },
      });
      expect(await dump(m.db)).toBe(before);
      // The first two swap, `stuck` stays where it is.
      const [first, second, ...rest] = visible;
      if (!first || !second) throw new Error('too few channels');
      const kept = [second, first, ...rest];
      expect(await m.mutate('manager', 'channel.reorder', { ids: kept })).toEqual({ ok: true });
      const after = await order();
      expect(after.filter((id) => id !== hidden.channel && id !== hidden.thread)).toEqual(kept);
      // The senior staff may move it.
      expect(await m.mutate('admin', 'channel.reorder', { ids: swapped })).toEqual({ ok: true });
    });
  });

  it('moderation refuses a non-moderator before it says whether the target exists or is banned', async () => {
    const targets = {
      banned: m.ids.banned,
      kicked: m.ids.outsider,
      unknown: newId(),
      member: await m.makeUser(),
    };
    for (const actor of ['manager', 'member', 'timedOut'] as const) {
      for (const [what, userId] of Object.entries(targets)) {
        for (const path of ['ban', 'kick', 'timeout'] as const) {
          const body = path === 'timeout' ? { userId, minutes: 5 } : { userId };
          expect(
            await m.rest(actor, 'POST', `/api/moderation/${path}`, body),
            `${actor} ${path}s ${what}`,
          ).toEqual({
            ok: false,
            kind: 'forbidden',
          });
        }
      }
    }
    // Moderators still hear why.
    expect(await m.rest('mod', 'POST', '/api/moderation/ban', { userId: targets.banned })).toEqual({
      ok: false,
      kind: 'conflict',
    });
    expect(await m.rest('mod', 'POST', '/api/moderation/ban', { userId: targets.unknown })).toEqual(
      { ok: false, kind: 'not_found' },
    );
    expect(await m.rest('mod', 'POST', '/api/moderation/kick', { userId: targets.kicked })).toEqual(
      { ok: false, kind: 'not_found' },
    );
  });
});
