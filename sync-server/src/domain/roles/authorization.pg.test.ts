import { describe, expect, it } from 'vitest';
import { newId, Permission as P } from '@echora/shared';
import {
  ACTORS,
  CHANNEL_MANAGERS,
  dump,
  make,
  MEMBERS,
  SENDERS,
  SENIOR,
  STAFF,
  useMatrix,
  type Case,
} from '../../../test/helpers/authz-matrix.ts';
import { describeEachDb } from '../../../test/helpers/db.ts';
import { dmCases } from '../../../test/helpers/authz-dm-cases.ts';
import { pollCases } from '../../../test/helpers/authz-poll-cases.ts';

/**
 * The authorization matrix of issue #6: every role, member-role, override,
 * channel and message mutation and every moderation, audit, invite and
 * community route, as each kind of actor. Allowed actors succeed; everyone
 * else is refused and the database is left exactly as it was.
 */
describeEachDb('authorization matrix', (getDb) => {
  const m = useMatrix(getDb);
  const { rest, mutate, makeUser, makeRole, makeChannel, makeMessage } = m;

  /** A fresh channel with one override, written behind the cache's back (so it reloads). */
  async function channelWithOverride(
    targetType: 'role' | 'member',
    targetId: string,
    allow: number,
    deny: number,
  ): Promise<string> {
    const id = await makeChannel();
    await m.db.query(
      `INSERT INTO channel_overrides (channel_id, target_type, target_id, allow, deny)
       VALUES ($1, $2, $3, $4, $5)`,
      [id, targetType, targetId, allow, deny],
    );
    await m.app.sync.deps.access.reload();
    return id;
  }

  const cases: Case<unknown>[] = [
    make({
      name: 'role.create',
      allowed: STAFF,
      prepare: () => newId(),
      act: (a, id: string) => mutate(a, 'role.create', { id, name: 'New' }),
    }),
    make({
      name: 'role.create granting administrator (a bit the mod lacks)',
      allowed: SENIOR,
      prepare: () => newId(),
      act: (a, id: string) =>
        mutate(a, 'role.create', { id, name: 'Boss', permissions: P.administrator }),
    }),
    make({
      name: 'role.update of a role below the mod',
      allowed: STAFF,
      prepare: () => makeRole(),
      act: (a, id: string) => mutate(a, 'role.update', { id, name: 'Renamed', color: 0xff0000 }),
    }),
    make({
      name: "role.update of the mod's own role",
      allowed: SENIOR,
      prepare: () => m.modRole,
      act: (a, id: string) => mutate(a, 'role.update', { id, color: m.next() }),
    }),
    make({
      name: 'role.delete',
      allowed: STAFF,
      prepare: () => makeRole(),
      act: (a, id: string) => mutate(a, 'role.delete', { id }),
    }),
    make({
      name: 'role.reorder of two roles below the mod',
      allowed: STAFF,
      prepare: async () => {
        await makeRole();
        await makeRole();
        const { rows } = await m.db.query<{ id: string }>(
          'SELECT id FROM roles WHERE NOT is_everyone ORDER BY position DESC',
        );
        const order = rows.map((r) => r.id);
        const n = order.length;
        [order[n - 1], order[n - 2]] = [order[n - 2] as string, order[n - 1] as string];
        return order;
      },
      act: (a, order: string[]) => mutate(a, 'role.reorder', { ids: order }),
    }),
    make({
      name: 'member.roles: a low role to a plain member',
      allowed: STAFF,
      prepare: async () => ({ userId: await makeUser(), role: await makeRole() }),
      act: (a, p: { userId: string; role: string }) =>
        mutate(a, 'member.roles', { userId: p.userId, roleIds: [p.role] }),
    }),
    make({
      name: 'member.roles: a low role holding administrator (a bit the mod lacks)',
      allowed: SENIOR,
      prepare: async () => ({ userId: await makeUser(), role: await makeRole(P.administrator) }),
      act: (a, p: { userId: string; role: string }) =>
        mutate(a, 'member.roles', { userId: p.userId, roleIds: [p.role] }),
    }),
    make({
      name: 'member.roles: the Moderator role (not below the mod)',
      allowed: SENIOR,
      prepare: () => makeUser(),
      act: (a, userId: string) => mutate(a, 'member.roles', { userId, roleIds: [m.modRole] }),
    }),
    make({
      name: 'channel.overrides: deny send for a low role',
      allowed: STAFF,
      prepare: () => makeRole(),
      act: (a, targetId: string) =>
        mutate(a, 'channel.overrides', {
          channelId: m.general,
          targetType: 'role',
          targetId,
          allow: 0,
          deny: P.sendMessages,
        }),
    }),
    make({
      name: 'channel.overrides: allow manage channels (a bit the mod lacks)',
      allowed: SENIOR,
      prepare: () => makeRole(),
      act: (a, targetId: string) =>
        mutate(a, 'channel.overrides', {
          channelId: m.general,
          targetType: 'role',
          targetId,
          allow: P.manageChannels,
          deny: 0,
        }),
    }),
    make({
      name: "message.delete of someone else's message",
      allowed: STAFF,
      prepare: async () => makeMessage(await makeUser()),
      act: (a, id: string) => mutate(a, 'message.delete', { id }),
    }),
    make({
      name: 'message.send',
      allowed: SENDERS,
      prepare: () => newId(),
      act: (a, id: string) => mutate(a, 'message.send', { id, channelId: m.general, content: 'x' }),
    }),
    make({
      name: "message.edit of someone else's message (nobody, whatever their roles)",
      allowed: [],
      prepare: async () => makeMessage(await makeUser()),
      act: (a, id: string) => mutate(a, 'message.edit', { id, content: 'edited' }),
    }),
    make({
      name: 'message.edit of their own message (not while timed out)',
      allowed: SENDERS,
      prepare: (actor) => makeMessage(m.ids[actor]),
      act: (a, id: string) => mutate(a, 'message.edit', { id, content: 'edited' }),
    }),
    make({
      name: 'message.pin',
      allowed: STAFF,
      prepare: async () => makeMessage(await makeUser()),
      act: (a, id: string) => mutate(a, 'message.pin', { id, pinned: true }),
    }),
    make({
      name: 'reaction.toggle',
      allowed: SENDERS,
      prepare: async () => makeMessage(await makeUser()),
      act: (a, messageId: string) =>
        mutate(a, 'reaction.toggle', { messageId, emoji: '👍', on: true }),
    }),
    make({
      name: 'thread.create',
      allowed: SENDERS,
      prepare: async () => makeMessage(await makeUser()),
      act: (a, messageId: string) =>
        mutate(a, 'thread.create', {
          id: newId(),
          channelId: m.general,
          messageId,
          name: 'thread',
        }),
    }),
    make({
      name: 'read.mark',
      allowed: MEMBERS,
      prepare: () => null,
      act: (a) => mutate(a, 'read.mark', { channelId: m.general, seq: m.next() }),
    }),
    make({
      name: 'channel.mute',
      allowed: MEMBERS,
      prepare: () => null,
      act: (a) => mutate(a, 'channel.mute', { channelId: m.general, muted: m.next() % 2 === 0 }),
    }),
    make({
      name: 'channel.rename',
      allowed: CHANNEL_MANAGERS,
      prepare: () => makeChannel(),
      act: (a, id: string) => mutate(a, 'channel.rename', { id, name: 'renamed' }),
    }),
    make({
      name: 'channel.delete',
      allowed: CHANNEL_MANAGERS,
      prepare: () => makeChannel(),
      act: (a, id: string) => mutate(a, 'channel.delete', { id }),
    }),
    make({
      name: 'channel.reorder',
      allowed: CHANNEL_MANAGERS,
      prepare: async () => {
        await makeChannel();
        const { rows } = await m.db.query<{ id: string }>(
          "SELECT id FROM channels WHERE deleted_at IS NULL AND kind <> 'dm' ORDER BY position DESC, id",
        );
        return rows.map((r) => r.id);
      },
      act: (a, order: string[]) => mutate(a, 'channel.reorder', { ids: order }),
    }),
    make({
      name: 'channel.create',
      allowed: CHANNEL_MANAGERS,
      prepare: () => newId(),
      act: (a, id: string) => mutate(a, 'channel.create', { id, kind: 'text', name: 'c' }),
    }),
    make({
      name: 'channel.rename where an override takes manage channels from the manager',
      allowed: SENIOR,
      prepare: () => channelWithOverride('role', m.managerRole, 0, P.manageChannels),
      act: (a, id: string) => mutate(a, 'channel.rename', { id, name: 'renamed' }),
    }),
    make({
      name: 'channel.delete where an override takes manage channels from the manager',
      allowed: SENIOR,
      prepare: () => channelWithOverride('role', m.managerRole, 0, P.manageChannels),
      act: (a, id: string) => mutate(a, 'channel.delete', { id }),
    }),
    make({
      name: 'channel.rename where an override gives a plain member manage channels',
      allowed: [...CHANNEL_MANAGERS, 'member'],
      prepare: () => channelWithOverride('member', m.ids.member, P.manageChannels, 0),
      act: (a, id: string) => mutate(a, 'channel.rename', { id, name: 'renamed' }),
    }),
    make({
      name: 'POST /api/moderation/kick',
      allowed: STAFF,
      prepare: () => makeUser(),
      act: (a, userId: string) => rest(a, 'POST', '/api/moderation/kick', { userId }),
    }),
    make({
      name: 'POST /api/moderation/kick of a Moderator',
      allowed: SENIOR,
      prepare: () => makeUser([m.modRole]),
      act: (a, userId: string) => rest(a, 'POST', '/api/moderation/kick', { userId }),
    }),
    make({
      name: 'POST /api/moderation/ban deleting the last hour',
      allowed: STAFF,
      prepare: async () => {
        const userId = await makeUser();
        await makeMessage(userId);
        return userId;
      },
      act: (a, userId: string) =>
        rest(a, 'POST', '/api/moderation/ban', { userId, reason: 'spam', deleteMessagesHours: 1 }),
    }),
    make({
      name: 'DELETE /api/moderation/bans/:userId',
      allowed: STAFF,
      prepare: async () => {
        const userId = await makeUser();
        await m.db.query('UPDATE members SET banned_at = now() WHERE user_id = $1', [userId]);
        return userId;
      },
      act: (a, userId: string) => rest(a, 'DELETE', `/api/moderation/bans/${userId}`),
    }),
    make({
      name: 'GET /api/moderation/bans',
      allowed: STAFF,
      prepare: () => null,
      act: (a) => rest(a, 'GET', '/api/moderation/bans'),
    }),
    make({
      name: 'POST /api/moderation/timeout',
      allowed: STAFF,
      prepare: () => makeUser(),
      act: (a, userId: string) =>
        rest(a, 'POST', '/api/moderation/timeout', { userId, minutes: 5 }),
    }),
    make({
      name: 'POST /api/moderation/timeout of a Moderator',
      allowed: SENIOR,
      prepare: () => makeUser([m.modRole]),
      act: (a, userId: string) =>
        rest(a, 'POST', '/api/moderation/timeout', { userId, minutes: 5 }),
    }),
    make({
      name: 'GET /api/audit-log',
      allowed: STAFF,
      prepare: () => null,
      act: (a) => rest(a, 'GET', '/api/audit-log?limit=5'),
    }),
    make({
      name: 'POST /api/invites',
      allowed: MEMBERS,
      prepare: () => null,
      act: (a) => rest(a, 'POST', '/api/invites', { maxUses: 1 }),
    }),
    make({
      name: 'GET /api/invites',
      allowed: MEMBERS,
      prepare: () => null,
      act: (a) => rest(a, 'GET', '/api/invites'),
    }),
    make({
      name: "DELETE /api/invites/:code (the owner's invite)",
      allowed: SENIOR,
      prepare: async () => {
        const res = await m.app.inject({
          method: 'POST',
          url: '/api/invites',
          headers: { authorization: `Bearer ${m.tokens.owner}` },
          payload: {},
        });
        return res.json<{ code: string }>().code;
      },
      act: (a, code: string) => rest(a, 'DELETE', `/api/invites/${code}`),
    }),
    make({
      name: 'PATCH /api/community',
      allowed: SENIOR,
      prepare: () => `Community ${m.next()}`,
      act: (a, name: string) => rest(a, 'PATCH', '/api/community', { name }),
    }),
    make({
      name: 'GET /api/channels/:id/pins (not found for those who may not see it)',
      allowed: MEMBERS,
      denied: 'not_found',
      prepare: () => null,
      act: (a) => rest(a, 'GET', `/api/channels/${m.general}/pins`),
    }),
    make({
      name: 'PATCH /api/profile',
      allowed: MEMBERS,
      prepare: () => `bio ${m.next()}`,
      act: (a, bio: string) => rest(a, 'PATCH', '/api/profile', { bio }),
    }),
    make({
      name: 'GET /api/community (public)',
      allowed: ACTORS,
      prepare: () => null,
      act: (a) => rest(a, 'GET', '/api/community'),
    }),
    ...dmCases(m),
    ...pollCases(m),
  ];

  for (const c of cases) {
    it(c.name, async () => {
      for (const actor of ACTORS) {
        const prepared = await c.prepare(actor);
        const before = await dump(m.db);
        const outcome = await c.act(actor, prepared);
        if (c.allowed.includes(actor)) {
          expect(outcome, `${actor} may`).toEqual({ ok: true });
        } else {
          const kind = typeof c.denied === 'function' ? c.denied(actor) : (c.denied ?? 'forbidden');
          expect(outcome, `${actor} may not`).toEqual({ ok: false, kind });
          expect(await dump(m.db), `${actor}'s refusal changed nothing`).toBe(before);
        }
      }
    });
  }

  describe('follow-ups', () => {
    it('the audit log names who did what to whom', async () => {
      const res = await m.app.inject({
        method: 'GET',
        url: '/api/audit-log?limit=100',
        headers: { authorization: `Bearer ${m.tokens.owner}` },
      });
      const { entries } = res.json<{
        entries: {
          action: string;
          actorId: string;
          targetId: string | null;
          reason: string | null;
        }[];
      }>();
      const actions = new Set(entries.map((e) => e.action));
      for (const a of [
        'member.kick',
        'member.ban',
        'member.unban',
        'member.timeout',
        'role.create',
        'role.update',
        'role.delete',
        'role.reorder',
        'member.roles',
        'channel.overrides',
        'channel.create',
        'message.delete',
        'invite.create',
        'invite.revoke',
        'community.update',
      ]) {
        expect(actions, a).toContain(a);
      }
      const ban = entries.find((e) => e.action === 'member.ban' && e.reason === 'spam');
      expect(ban?.actorId).toBeDefined();
    });
  });
});
