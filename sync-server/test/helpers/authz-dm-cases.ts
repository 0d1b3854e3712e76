import { dmId, newId } from '@echora/shared';
import {
  make,
  SENDERS,
  STAFF,
  MEMBERS,
  type Actor,
  type Case,
  type Matrix,
} from './authz-matrix.ts';

/**
 * Refusals in a direct conversation: those who may not see it (owner and
 * administrators included) get "not found" word for word as for an unknown
 * id; the banned and the kicked have no socket at all (`forbidden`); a
 * participant refused something gets `participant`.
 */
const outside =
  (participant = 'forbidden') =>
  (actor: Actor): string =>
    actor === 'member'
      ? participant
      : actor === 'banned' || actor === 'outsider'
        ? 'forbidden'
        : 'not_found';

/**
 * The DM rows of the authorization matrix (issue 19): every mutation and read
 * of a direct conversation as participant (`member`), non-participant member,
 * moderator, administrator, owner, timed-out, banned and kicked user, and
 * blocked. Conversations are written straight to the database.
 */
export function dmCases(m: Matrix): Case<unknown>[] {
  /** A 1:1 conversation between `a` and `b`, behind the cache's back. */
  async function makeDm(a: string, b: string): Promise<string> {
    const id = dmId(a, b);
    await m.db.query(
      "INSERT INTO channels (id, kind, name, position) VALUES ($1, 'dm', '', 0) ON CONFLICT DO NOTHING",
      [id],
    );
    await m.db.query(
      'INSERT INTO dm_participants (channel_id, user_id) VALUES ($1, $2), ($1, $3) ON CONFLICT DO NOTHING',
      [id, a, b],
    );
    await m.db.query('INSERT INTO scopes (scope, version) VALUES ($1, 0) ON CONFLICT DO NOTHING', [
      `channel:${id}`,
    ]);
    await m.app.sync.deps.access.reload();
    return id;
  }

  /** A group of `owner` and `others`. */
  async function makeGroup(owner: string, others: string[]): Promise<string> {
    const id = newId();
    await m.db.query(
      "INSERT INTO channels (id, kind, name, position, dm_owner_id, dm_group) VALUES ($1, 'dm', 'g', 0, $2, true)",
      [id, owner],
    );
    for (const u of [owner, ...others]) {
      await m.db.query('INSERT INTO dm_participants (channel_id, user_id) VALUES ($1, $2)', [
        id,
        u,
      ]);
    }
    await m.db.query('INSERT INTO scopes (scope, version) VALUES ($1, 0)', [`channel:${id}`]);
    await m.app.sync.deps.access.reload();
    return id;
  }

  /** The member's 1:1 conversation with someone new. */
  const memberDm = async () => makeDm(m.ids.member, await m.makeUser());
  /** A message of the other person in the member's 1:1 conversation with them. */
  async function dmMessage(): Promise<string> {
    const other = await m.makeUser();
    return m.makeMessage(other, await makeDm(m.ids.member, other));
  }
  async function block(blocker: string, blocked: string): Promise<void> {
    await m.db.query('INSERT INTO user_blocks (user_id, blocked_id) VALUES ($1, $2)', [
      blocker,
      blocked,
    ]);
    await m.app.sync.deps.access.reload();
  }

  /** An open report by the member of a message in their 1:1 conversation. */
  async function openReport(): Promise<string> {
    const other = await m.makeUser();
    const messageId = await m.makeMessage(other, await makeDm(m.ids.member, other));
    const id = newId();
    await m.db.query(
      `INSERT INTO message_reports (id, reporter_id, message_id, author_id, content)
       VALUES ($1, $2, $3, $4, 'reported')`,
      [id, m.ids.member, messageId, other],
    );
    return id;
  }

  return [
    make({
      name: 'dm.open with a member',
      allowed: SENDERS,
      prepare: () => m.makeUser(),
      act: (a, userId: string) => m.mutate(a, 'dm.open', { userId }),
    }),
    make({
      name: 'dm.open again (the existing conversation, timed out too; changes nothing)',
      allowed: MEMBERS,
      prepare: async (actor) => {
        const userId = await m.makeUser();
        if (actor !== 'banned' && actor !== 'outsider') await makeDm(m.ids[actor], userId);
        return userId;
      },
      act: (a, userId: string) => m.mutate(a, 'dm.open', { userId }),
    }),
    make({
      name: 'dm.open with someone who takes DMs only from people sharing a role (Moderator)',
      allowed: ['mod'],
      prepare: async () => {
        const userId = await m.makeUser([m.modRole]);
        await m.db.query(
          `INSERT INTO user_settings (user_id, settings) VALUES ($1, '{"dms":"sharedRole"}')`,
          [userId],
        );
        await m.app.sync.deps.access.reload();
        return userId;
      },
      act: (a, userId: string) => m.mutate(a, 'dm.open', { userId }),
    }),
    make({
      name: 'dm.open with someone who blocked the actor',
      allowed: [],
      prepare: async (actor) => {
        const userId = await m.makeUser();
        await block(userId, m.ids[actor]);
        return userId;
      },
      act: (a, userId: string) => m.mutate(a, 'dm.open', { userId }),
    }),
    make({
      name: 'dm.create (a group of three)',
      allowed: SENDERS,
      prepare: async () => ({ id: newId(), users: [await m.makeUser(), await m.makeUser()] }),
      act: (a, p: { id: string; users: string[] }) =>
        m.mutate(a, 'dm.create', { id: p.id, userIds: p.users, name: 'trio' }),
    }),
    make({
      name: 'message.send in a 1:1 DM',
      allowed: ['member'],
      denied: outside(),
      prepare: memberDm,
      act: (a, channelId: string) =>
        m.mutate(a, 'message.send', { id: newId(), channelId, content: 'hi' }),
    }),
    make({
      name: 'message.send in a 1:1 DM whose other side blocked the member (read-only)',
      allowed: [],
      denied: outside(),
      prepare: async () => {
        const other = await m.makeUser();
        const id = await makeDm(m.ids.member, other);
        await block(other, m.ids.member);
        return id;
      },
      act: (a, channelId: string) =>
        m.mutate(a, 'message.send', { id: newId(), channelId, content: 'hi' }),
    }),
    make({
      name: 'message.send in a 1:1 DM whose other side was banned (read-only)',
      allowed: [],
      denied: outside(),
      prepare: async () => {
        const other = await m.makeUser();
        const id = await makeDm(m.ids.member, other);
        await m.db.query('UPDATE members SET banned_at = now() WHERE user_id = $1', [other]);
        await m.app.sync.deps.access.reload();
        return id;
      },
      act: (a, channelId: string) =>
        m.mutate(a, 'message.send', { id: newId(), channelId, content: 'hi' }),
    }),
    make({
      name: "message.edit of the other side's DM message (nobody)",
      allowed: [],
      denied: outside(),
      prepare: dmMessage,
      act: (a, id: string) => m.mutate(a, 'message.edit', { id, content: 'edited' }),
    }),
    make({
      name: "message.delete of the other side's DM message (no staff power in DMs)",
      allowed: [],
      denied: outside(),
      prepare: dmMessage,
      act: (a, id: string) => m.mutate(a, 'message.delete', { id }),
    }),
    make({
      name: 'message.delete of their own DM message',
      allowed: ['member'],
      denied: outside(),
      prepare: async () => m.makeMessage(m.ids.member, await memberDm()),
      act: (a, id: string) => m.mutate(a, 'message.delete', { id }),
    }),
    make({
      name: 'reaction.toggle in a DM',
      allowed: ['member'],
      denied: outside(),
      prepare: dmMessage,
      act: (a, messageId: string) =>
        m.mutate(a, 'reaction.toggle', { messageId, emoji: '👍', on: true }),
    }),
    make({
      name: 'message.pin in a DM (participants pin)',
      allowed: ['member'],
      denied: outside(),
      prepare: dmMessage,
      act: (a, id: string) => m.mutate(a, 'message.pin', { id, pinned: true }),
    }),
    make({
      name: 'thread.create in a DM (threads start in text channels only)',
      allowed: [],
      denied: outside('invalid'),
      prepare: async () => {
        const other = await m.makeUser();
        const channelId = await makeDm(m.ids.member, other);
        return { channelId, messageId: await m.makeMessage(other, channelId) };
      },
      act: (a, p: { channelId: string; messageId: string }) =>
        m.mutate(a, 'thread.create', { id: newId(), ...p, name: 'side' }),
    }),
    make({
      name: 'message.report of a DM message',
      allowed: ['member'],
      denied: outside(),
      prepare: dmMessage,
      act: (a, messageId: string) => m.mutate(a, 'message.report', { messageId, reason: 'spam' }),
    }),
    make({
      name: 'read.mark in a DM',
      allowed: ['member'],
      denied: outside(),
      prepare: async () => {
        const channelId = await memberDm();
        await m.makeMessage(m.ids.member, channelId);
        return channelId;
      },
      act: (a, channelId: string) => m.mutate(a, 'read.mark', { channelId, seq: 1 }),
    }),
    make({
      name: 'channel.mute of a DM',
      allowed: ['member'],
      denied: outside(),
      prepare: memberDm,
      act: (a, channelId: string) => m.mutate(a, 'channel.mute', { channelId, muted: true }),
    }),
    make({
      name: 'channel.rename of a DM (never through channel mutations)',
      allowed: [],
      denied: outside(),
      prepare: memberDm,
      act: (a, id: string) => m.mutate(a, 'channel.rename', { id, name: 'x' }),
    }),
    make({
      name: 'channel.delete of a DM',
      allowed: [],
      denied: outside(),
      prepare: memberDm,
      act: (a, id: string) => m.mutate(a, 'channel.delete', { id }),
    }),
    make({
      name: 'dm.rename of a group',
      allowed: ['member'],
      denied: outside(),
      prepare: async () => makeGroup(await m.makeUser(), [m.ids.member, await m.makeUser()]),
      act: (a, id: string) => m.mutate(a, 'dm.rename', { id, name: `n${m.next()}` }),
    }),
    make({
      name: 'dm.add to a group',
      allowed: ['member'],
      denied: outside(),
      prepare: async () => ({
        id: await makeGroup(await m.makeUser(), [m.ids.member]),
        userId: await m.makeUser(),
      }),
      act: (a, p: { id: string; userId: string }) =>
        m.mutate(a, 'dm.add', { id: p.id, userIds: [p.userId] }),
    }),
    make({
      name: "dm.remove by the group's owner",
      allowed: ['member'],
      denied: outside(),
      prepare: async () => {
        const userId = await m.makeUser();
        return { id: await makeGroup(m.ids.member, [userId, await m.makeUser()]), userId };
      },
      act: (a, p: { id: string; userId: string }) => m.mutate(a, 'dm.remove', p),
    }),
    make({
      name: 'dm.remove by a participant who is not the owner',
      allowed: [],
      denied: outside(),
      prepare: async () => {
        const userId = await m.makeUser();
        return { id: await makeGroup(await m.makeUser(), [m.ids.member, userId]), userId };
      },
      act: (a, p: { id: string; userId: string }) => m.mutate(a, 'dm.remove', p),
    }),
    make({
      name: 'dm.leave of a group',
      allowed: ['member'],
      denied: outside(),
      prepare: async () => makeGroup(await m.makeUser(), [m.ids.member, await m.makeUser()]),
      act: (a, id: string) => m.mutate(a, 'dm.leave', { id }),
    }),
    make({
      name: 'user.block',
      allowed: MEMBERS,
      prepare: () => m.makeUser(),
      act: (a, userId: string) => m.mutate(a, 'user.block', { userId, blocked: true }),
    }),
    make({
      name: 'GET /api/channels/:id/messages of a DM',
      allowed: ['member'],
      denied: 'not_found',
      prepare: async () => {
        const id = await memberDm();
        return { id, around: await m.makeMessage(m.ids.member, id) };
      },
      act: (a, p: { id: string; around: string }) =>
        m.rest(a, 'GET', `/api/channels/${p.id}/messages?around=${p.around}`),
    }),
    make({
      name: 'GET /api/channels/:id/pins of a DM',
      allowed: ['member'],
      denied: 'not_found',
      prepare: memberDm,
      act: (a, id: string) => m.rest(a, 'GET', `/api/channels/${id}/pins`),
    }),
    make({
      name: 'GET /api/reports',
      allowed: STAFF,
      prepare: () => null,
      act: (a) => m.rest(a, 'GET', '/api/reports'),
    }),
    make({
      name: 'GET /api/reports of closed reports, a page after a cursor',
      allowed: STAFF,
      prepare: openReport,
      act: (a, id: string) => m.rest(a, 'GET', `/api/reports?status=closed&limit=5&before=${id}`),
    }),
    make({
      name: 'POST /api/reports/:id/resolve of a DM message’s report',
      allowed: STAFF,
      prepare: openReport,
      act: (a, id: string) =>
        m.rest(a, 'POST', `/api/reports/${id}/resolve`, { outcome: 'resolved' }),
    }),
    make({
      name: 'POST /api/reports/:id/resolve (dismiss)',
      allowed: STAFF,
      prepare: openReport,
      act: (a, id: string) =>
        m.rest(a, 'POST', `/api/reports/${id}/resolve`, { outcome: 'dismissed' }),
    }),
  ];
}
