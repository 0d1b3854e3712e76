import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  CloseCode,
  newId,
  Permission as P,
  type MutationArgs,
  type MutationName,
} from '@echora/shared';
import type { Queryable } from '../../db/types.ts';
import { createTestApp, registerUser } from '../../../test/helpers/app.ts';
import { describeEachDb } from '../../../test/helpers/db.ts';
import { SyncClient } from '../../../test/helpers/sync-client.ts';

/**
 * The authorization matrix of issue #6: every role, member-role, override,
 * channel and message mutation and every moderation, audit, invite and
 * community route, as each kind of actor. Allowed actors succeed; everyone
 * else is refused and the database is left exactly as it was.
 */
const ACTORS = ['owner', 'admin', 'mod', 'member', 'timedOut', 'banned', 'outsider'] as const;
type Actor = (typeof ACTORS)[number];
type Outcome = { ok: true } | { ok: false; kind: string };

interface Case<T> {
  name: string;
  allowed: readonly Actor[];
  /** The refusal everyone else gets (default `forbidden`). */
  denied?: string;
  /** Fresh targets for one attempt, made before the database is dumped. */
  prepare: (actor: Actor) => T | Promise<T>;
  act: (actor: Actor, prepared: T) => Promise<Outcome>;
}

/** Keeps each case's prepared value typed, then forgets it for the list. */
const make = <T>(c: Case<T>): Case<unknown> => c as Case<unknown>;

const MOD_PERMS =
  P.manageRoles |
  P.kickMembers |
  P.banMembers |
  P.timeoutMembers |
  P.manageMessages |
  P.viewAuditLog;
const STAFF: readonly Actor[] = ['owner', 'admin', 'mod'];
const SENIOR: readonly Actor[] = ['owner', 'admin'];
const MEMBERS: readonly Actor[] = ['owner', 'admin', 'mod', 'member', 'timedOut'];

/** Everything an action could change, as comparable text (client_mutations excluded: refusals are recorded). */
async function dump(db: Queryable): Promise<string> {
  const queries = [
    'SELECT * FROM users ORDER BY id',
    'SELECT * FROM roles ORDER BY id',
    'SELECT * FROM member_roles ORDER BY user_id, role_id',
    'SELECT * FROM channel_overrides ORDER BY channel_id, target_type, target_id',
    'SELECT * FROM members ORDER BY user_id',
    'SELECT * FROM channels ORDER BY id',
    'SELECT id, content, deleted_at FROM messages ORDER BY id',
    'SELECT * FROM invites ORDER BY code',
    'SELECT * FROM audit_log ORDER BY id',
    'SELECT * FROM community',
    'SELECT token_hash, revoked_at FROM refresh_tokens ORDER BY token_hash',
    'SELECT * FROM scopes ORDER BY scope',
  ];
  const parts: unknown[] = [];
  for (const q of queries) parts.push((await db.query(q)).rows);
  return JSON.stringify(parts);
}

describeEachDb('authorization matrix', (getDb) => {
  let app: FastifyInstance;
  let url = '';
  let db: Queryable;
  const tokens = {} as Record<Actor, string>;
  const ids = {} as Record<Actor, string>;
  const clients = {} as Partial<Record<Actor, SyncClient>>;
  let general = '';
  let modRole = '';
  let counter = 0;

  async function rest(
    actor: Actor,
    method: 'GET' | 'POST' | 'PATCH' | 'DELETE',
    path: string,
    payload?: object,
  ): Promise<Outcome> {
    const res = await app.inject({
      method,
      url: path,
      headers: { authorization: `Bearer ${tokens[actor]}` },
      ...(payload ? { payload } : {}),
    });
    if (res.statusCode < 300) return { ok: true };
    return { ok: false, kind: res.json<{ error: { kind: string } }>().error.kind };
  }

  async function mutate<N extends MutationName>(
    actor: Actor,
    name: N,
    args: MutationArgs<N>,
  ): Promise<Outcome> {
    const client = clients[actor];
    if (!client) {
      // Banned users and outsiders never get a live socket to send on.
      const c = await SyncClient.connect(url, { token: tokens[actor] });
      const closed = await c.closed;
      expect(closed.code).toBe(CloseCode.forbidden);
      return { ok: false, kind: 'forbidden' };
    }
    const answer = await client.mutate(name, args);
    return answer.type === 'ack' ? { ok: true } : { ok: false, kind: answer.error.kind };
  }

  /** A member made straight in the database (no password: they never log in here). */
  async function makeUser(roleIds: string[] = []): Promise<string> {
    const id = newId();
    const name = `victim${++counter}`;
    await db.query(
      "INSERT INTO users (id, username, password_hash, display_name) VALUES ($1, $2, 'x', $2)",
      [id, name],
    );
    await db.query('INSERT INTO members (user_id) VALUES ($1)', [id]);
    for (const r of roleIds) {
      await db.query('INSERT INTO member_roles (user_id, role_id) VALUES ($1, $2)', [id, r]);
    }
    return id;
  }

  /** A role at the bottom (position 1), as `role.create` places it. */
  async function makeRole(permissions = 0): Promise<string> {
    const id = newId();
    await db.query('UPDATE roles SET position = position + 1 WHERE NOT is_everyone');
    await db.query('INSERT INTO roles (id, name, position, permissions) VALUES ($1, $2, 1, $3)', [
      id,
      `role${++counter}`,
      permissions,
    ]);
    return id;
  }

  /** A text channel everyone sees, at the end of the list. */
  async function makeChannel(): Promise<string> {
    const id = newId();
    await db.query(
      `INSERT INTO channels (id, kind, name, position)
       VALUES ($1, 'text', $2, (SELECT coalesce(max(position) + 1, 0) FROM channels))`,
      [id, `ch${++counter}`],
    );
    await db.query('INSERT INTO scopes (scope, version) VALUES ($1, 0)', [`channel:${id}`]);
    return id;
  }

  async function makeMessage(authorId: string): Promise<string> {
    const id = newId();
    const { rows } = await db.query<{ version: number }>(
      'UPDATE scopes SET version = version + 1 WHERE scope = $1 RETURNING version',
      [`channel:${general}`],
    );
    await db.query(
      "INSERT INTO messages (id, channel_id, author_id, content, seq) VALUES ($1, $2, $3, 'hi', $4)",
      [id, general, authorId, rows[0]?.version],
    );
    return id;
  }

  beforeAll(async () => {
    db = getDb();
    app = await createTestApp(getDb());
    url = await app.listen({ port: 0, host: '127.0.0.1' });
    for (const actor of ACTORS) {
      const s = await registerUser(app, `${actor}-user`);
      tokens[actor] = s.accessToken;
      ids[actor] = s.user.id;
    }
    const owner = await (await SyncClient.connect(url, { token: tokens.owner })).synced();
    clients.owner = owner;
    general = [...owner.replica.channels.values()].find((c) => c.name === 'general')?.id ?? '';
    const adminRole = newId();
    modRole = newId();
    const setup: [MutationName, object][] = [
      ['role.create', { id: adminRole, name: 'Admin', permissions: P.administrator }],
      ['role.create', { id: modRole, name: 'Moderator', permissions: MOD_PERMS }],
      ['member.roles', { userId: ids.admin, roleIds: [adminRole] }],
      ['member.roles', { userId: ids.mod, roleIds: [modRole] }],
    ];
    for (const [name, args] of setup) {
      expect(await owner.mutate(name, args as never)).toMatchObject({ type: 'ack' });
    }
    expect(
      await rest('owner', 'POST', '/api/moderation/timeout', { userId: ids.timedOut, minutes: 60 }),
    ).toEqual({ ok: true });
    expect(await rest('owner', 'POST', '/api/moderation/ban', { userId: ids.banned })).toEqual({
      ok: true,
    });
    expect(await rest('owner', 'POST', '/api/moderation/kick', { userId: ids.outsider })).toEqual({
      ok: true,
    });
    for (const actor of ['admin', 'mod', 'member', 'timedOut'] as const) {
      clients[actor] = await (await SyncClient.connect(url, { token: tokens[actor] })).synced();
    }
  });

  afterAll(async () => {
    for (const c of Object.values(clients)) await c.close();
    await app?.close();
  });

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
      prepare: () => modRole,
      act: (a, id: string) => mutate(a, 'role.update', { id, color: ++counter }),
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
        const { rows } = await db.query<{ id: string }>(
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
      act: (a, userId: string) => mutate(a, 'member.roles', { userId, roleIds: [modRole] }),
    }),
    make({
      name: 'channel.overrides: deny send for a low role',
      allowed: STAFF,
      prepare: () => makeRole(),
      act: (a, targetId: string) =>
        mutate(a, 'channel.overrides', {
          channelId: general,
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
          channelId: general,
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
      allowed: ['owner', 'admin', 'mod', 'member'],
      prepare: () => newId(),
      act: (a, id: string) => mutate(a, 'message.send', { id, channelId: general, content: 'x' }),
    }),
    make({
      name: "message.edit of someone else's message (nobody, whatever their roles)",
      allowed: [],
      prepare: async () => makeMessage(await makeUser()),
      act: (a, id: string) => mutate(a, 'message.edit', { id, content: 'edited' }),
    }),
    make({
      name: 'message.edit of their own message',
      allowed: MEMBERS,
      prepare: (actor) => makeMessage(ids[actor]),
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
      allowed: ['owner', 'admin', 'mod', 'member'],
      prepare: async () => makeMessage(await makeUser()),
      act: (a, messageId: string) =>
        mutate(a, 'reaction.toggle', { messageId, emoji: '👍', on: true }),
    }),
    make({
      name: 'thread.create',
      allowed: ['owner', 'admin', 'mod', 'member'],
      prepare: async () => makeMessage(await makeUser()),
      act: (a, messageId: string) =>
        mutate(a, 'thread.create', { id: newId(), channelId: general, messageId, name: 'thread' }),
    }),
    make({
      name: 'read.mark',
      allowed: MEMBERS,
      prepare: () => null,
      act: (a) => mutate(a, 'read.mark', { channelId: general, seq: ++counter }),
    }),
    make({
      name: 'channel.mute',
      allowed: MEMBERS,
      prepare: () => null,
      act: (a) => mutate(a, 'channel.mute', { channelId: general, muted: counter++ % 2 === 0 }),
    }),
    make({
      name: 'channel.rename',
      allowed: SENIOR,
      prepare: () => makeChannel(),
      act: (a, id: string) => mutate(a, 'channel.rename', { id, name: 'renamed' }),
    }),
    make({
      name: 'channel.delete',
      allowed: SENIOR,
      prepare: () => makeChannel(),
      act: (a, id: string) => mutate(a, 'channel.delete', { id }),
    }),
    make({
      name: 'channel.reorder',
      allowed: SENIOR,
      prepare: async () => {
        await makeChannel();
        const { rows } = await db.query<{ id: string }>(
          'SELECT id FROM channels WHERE deleted_at IS NULL ORDER BY position DESC, id',
        );
        return rows.map((r) => r.id);
      },
      act: (a, order: string[]) => mutate(a, 'channel.reorder', { ids: order }),
    }),
    make({
      name: 'channel.create',
      allowed: SENIOR,
      prepare: () => newId(),
      act: (a, id: string) => mutate(a, 'channel.create', { id, kind: 'text', name: 'c' }),
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
      prepare: () => makeUser([modRole]),
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
        await db.query('UPDATE members SET banned_at = now() WHERE user_id = $1', [userId]);
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
      prepare: () => makeUser([modRole]),
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
        const res = await app.inject({
          method: 'POST',
          url: '/api/invites',
          headers: { authorization: `Bearer ${tokens.owner}` },
          payload: {},
        });
        return res.json<{ code: string }>().code;
      },
      act: (a, code: string) => rest(a, 'DELETE', `/api/invites/${code}`),
    }),
    make({
      name: 'PATCH /api/community',
      allowed: SENIOR,
      prepare: () => `Community ${++counter}`,
      act: (a, name: string) => rest(a, 'PATCH', '/api/community', { name }),
    }),
    make({
      name: 'GET /api/channels/:id/pins (not found for those who may not see it)',
      allowed: MEMBERS,
      denied: 'not_found',
      prepare: () => null,
      act: (a) => rest(a, 'GET', `/api/channels/${general}/pins`),
    }),
    make({
      name: 'PATCH /api/profile',
      allowed: MEMBERS,
      prepare: () => `bio ${++counter}`,
      act: (a, bio: string) => rest(a, 'PATCH', '/api/profile', { bio }),
    }),
    make({
      name: 'GET /api/community (public)',
      allowed: ACTORS,
      prepare: () => null,
      act: (a) => rest(a, 'GET', '/api/community'),
    }),
  ];

  for (const c of cases) {
    it(c.name, async () => {
      for (const actor of ACTORS) {
        const prepared = await c.prepare(actor);
        const before = await dump(db);
        const outcome = await c.act(actor, prepared);
        if (c.allowed.includes(actor)) {
          expect(outcome, `${actor} may`).toEqual({ ok: true });
        } else {
          expect(outcome, `${actor} may not`).toEqual({ ok: false, kind: c.denied ?? 'forbidden' });
          expect(await dump(db), `${actor}'s refusal changed nothing`).toBe(before);
        }
      }
    });
  }

  describe('follow-ups', () => {
    it('the audit log names who did what to whom', async () => {
      const res = await app.inject({
        method: 'GET',
        url: '/api/audit-log?limit=100',
        headers: { authorization: `Bearer ${tokens.owner}` },
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
