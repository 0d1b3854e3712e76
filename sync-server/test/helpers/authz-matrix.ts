import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, expect } from 'vitest';
import {
  CloseCode,
  ephemeralMutations,
  newId,
  Permission as P,
  type AckDown,
  type MutationArgs,
  type MutationName,
  type RejectDown,
} from '@echora/shared';
import type { Queryable } from '../../src/db/types.ts';
import type { ScriptDb } from '../../src/db/script.ts';
import { createTestApp, registerUser } from './app.ts';
import { SyncClient } from './sync-client.ts';

/**
 * The cast and props of the authorization matrix
 * (`src/domain/roles/authorization.pg.test.ts`, and the existence checks in
 * `src/domain/permissions/existence.pg.test.ts`): one user per kind of actor,
 * an app they talk to over REST and the sync socket, and makers of fresh
 * targets written straight to the database. `manager` holds manage channels
 * and nothing else staff have.
 */
export const ACTORS = [
  'owner',
  'admin',
  'mod',
  'manager',
  'member',
  'timedOut',
  'banned',
  'outsider',
] as const;
export type Actor = (typeof ACTORS)[number];
export type Outcome = { ok: true } | { ok: false; kind: string };

export interface Case<T> {
  name: string;
  allowed: readonly Actor[];
  /** The refusal everyone else gets (default `forbidden`), or each actor's. */
  denied?: string | ((actor: Actor) => string);
  /** Fresh targets for one attempt, made before the database is dumped. */
  prepare: (actor: Actor) => T | Promise<T>;
  act: (actor: Actor, prepared: T) => Promise<Outcome>;
}

/** Keeps each case's prepared value typed, then forgets it for the list. */
export const make = <T>(c: Case<T>): Case<unknown> => c as Case<unknown>;

export const MOD_PERMS =
  P.manageRoles |
  P.kickMembers |
  P.banMembers |
  P.timeoutMembers |
  P.manageMessages |
  P.viewAuditLog;
export const STAFF: readonly Actor[] = ['owner', 'admin', 'mod'];
export const SENIOR: readonly Actor[] = ['owner', 'admin'];
/** Who may manage channels: the senior staff and the channel manager. */
export const CHANNEL_MANAGERS: readonly Actor[] = [...SENIOR, 'manager'];
/** Members who may send (everyone but the timed-out one). */
export const SENDERS: readonly Actor[] = ['owner', 'admin', 'mod', 'manager', 'member'];
export const MEMBERS: readonly Actor[] = [...SENDERS, 'timedOut'];
/** Members who do not see a channel `@everyone` may not view: all but owner and admin. */
export const HIDDEN_FROM: readonly Actor[] = ['mod', 'manager', 'member', 'timedOut'];

/** Everything an action could change, as comparable text (client_mutations excluded: refusals are recorded). */
export async function dump(db: Queryable): Promise<string> {
  const queries = [
    'SELECT * FROM users ORDER BY id',
    'SELECT * FROM roles ORDER BY id',
    'SELECT * FROM member_roles ORDER BY user_id, role_id',
    'SELECT * FROM channel_overrides ORDER BY channel_id, target_type, target_id',
    'SELECT * FROM members ORDER BY user_id',
    'SELECT * FROM channels ORDER BY id',
    'SELECT id, content, deleted_at, pinned_at, reactions, poll FROM messages ORDER BY id',
    'SELECT * FROM polls ORDER BY message_id',
    'SELECT * FROM poll_votes ORDER BY poll_id, user_id, option_id',
    'SELECT * FROM read_states ORDER BY user_id, channel_id',
    'SELECT * FROM invites ORDER BY code',
    'SELECT * FROM audit_log ORDER BY id',
    'SELECT * FROM community',
    'SELECT token_hash, revoked_at FROM refresh_tokens ORDER BY token_hash',
    'SELECT * FROM scopes ORDER BY scope',
    'SELECT * FROM dm_participants ORDER BY channel_id, user_id',
    'SELECT * FROM user_blocks ORDER BY user_id, blocked_id',
    'SELECT * FROM message_reports ORDER BY id',
    'SELECT * FROM user_settings ORDER BY user_id',
  ];
  const parts: unknown[] = [];
  for (const q of queries) parts.push((await db.query(q)).rows);
  return JSON.stringify(parts);
}

/** What a matrix case acts with; fields set up in `beforeAll` are read when a case runs. */
export interface Matrix {
  readonly app: FastifyInstance;
  readonly db: ScriptDb;
  readonly tokens: Record<Actor, string>;
  readonly ids: Record<Actor, string>;
  /** The #general channel. */
  readonly general: string;
  /** The Moderator role the `mod` actor holds. */
  readonly modRole: string;
  /** The Channel manager role the `manager` actor holds (manage channels). */
  readonly managerRole: string;
  /** The `@everyone` role. */
  readonly everyoneRole: string;
  /** A fresh number, for unique names and values. */
  next: () => number;
  rest: (
    actor: Actor,
    method: 'GET' | 'POST' | 'PATCH' | 'DELETE',
    path: string,
    payload?: object,
  ) => Promise<Outcome>;
  mutate: <N extends MutationName>(
    actor: Actor,
    name: N,
    args: MutationArgs<N>,
  ) => Promise<Outcome>;
  /**
   * The whole answer to a mutation (its seq left out), for comparing refusals
   * word for word; typing (ephemeral) goes with seq 1, outside the sequence.
   */
  answer: <N extends MutationName>(
    actor: Actor,
    name: N,
    args: MutationArgs<N>,
  ) => Promise<Omit<AckDown, 'seq'> | Omit<RejectDown, 'seq'>>;
  makeUser: (roleIds?: string[]) => Promise<string>;
  makeRole: (permissions?: number) => Promise<string>;
  makeChannel: () => Promise<string>;
  /** A text channel `@everyone` may not view: only owner and admin see it. */
  makePrivateChannel: () => Promise<string>;
  /** A message in `channelId` (default #general). */
  makeMessage: (authorId: string, channelId?: string) => Promise<string>;
}

/**
 * Registers the actors on a test app over `getDb()`: owner, admin (an
 * administrator role), mod (a Moderator role), manager (a role with manage
 * channels), member, a timed-out member, a banned user and a kicked
 * outsider. Call inside a describe.
 */
export function useMatrix(getDb: () => ScriptDb): Matrix {
  let app: FastifyInstance;
  let url = '';
  let db: ScriptDb;
  const tokens = {} as Record<Actor, string>;
  const ids = {} as Record<Actor, string>;
  const clients = {} as Partial<Record<Actor, SyncClient>>;
  let general = '';
  let modRole = '';
  let managerRole = '';
  let everyoneRole = '';
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

  async function answer<N extends MutationName>(
    actor: Actor,
    name: N,
    args: MutationArgs<N>,
  ): Promise<Omit<AckDown, 'seq'> | Omit<RejectDown, 'seq'>> {
    const client = clients[actor];
    if (!client) throw new Error(`${actor} has no socket`);
    const got = await (ephemeralMutations.has(name)
      ? client.mutate(name, args, 1)
      : client.mutate(name, args));
    const { seq: _seq, ...rest } = got;
    return rest;
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

  async function makePrivateChannel(): Promise<string> {
    const id = await makeChannel();
    await db.query(
      `INSERT INTO channel_overrides (channel_id, target_type, target_id, allow, deny)
       VALUES ($1, 'role', $2, 0, $3)`,
      [id, everyoneRole, P.viewChannel],
    );
    // Written behind the cache's back: it must read the override before anyone acts.
    await app.sync.deps.access.reload();
    return id;
  }

  async function makeMessage(authorId: string, channelId = general): Promise<string> {
    const id = newId();
    const { rows } = await db.query<{ version: number }>(
      'UPDATE scopes SET version = version + 1 WHERE scope = $1 RETURNING version',
      [`channel:${channelId}`],
    );
    await db.query(
      "INSERT INTO messages (id, channel_id, author_id, content, seq) VALUES ($1, $2, $3, 'hi', $4)",
      [id, channelId, authorId, rows[0]?.version],
    );
    return id;
  }

  beforeAll(async () => {
    db = getDb();
    app = await createTestApp(db);
    url = await app.listen({ port: 0, host: '127.0.0.1' });
    for (const actor of ACTORS) {
      const s = await registerUser(app, `${actor}-user`);
      tokens[actor] = s.accessToken;
      ids[actor] = s.user.id;
    }
    const owner = await (await SyncClient.connect(url, { token: tokens.owner })).synced();
    clients.owner = owner;
    general = [...owner.replica.channels.values()].find((c) => c.name === 'general')?.id ?? '';
    everyoneRole = [...owner.replica.roles.values()].find((r) => r.isEveryone)?.id ?? '';
    const adminRole = newId();
    modRole = newId();
    managerRole = newId();
    // Each new role goes in lowest: manager < mod < admin.
    const setup: [MutationName, object][] = [
      ['role.create', { id: adminRole, name: 'Admin', permissions: P.administrator }],
      ['role.create', { id: modRole, name: 'Moderator', permissions: MOD_PERMS }],
      ['role.create', { id: managerRole, name: 'Channels', permissions: P.manageChannels }],
      ['member.roles', { userId: ids.admin, roleIds: [adminRole] }],
      ['member.roles', { userId: ids.mod, roleIds: [modRole] }],
      ['member.roles', { userId: ids.manager, roleIds: [managerRole] }],
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
    for (const actor of ['admin', 'mod', 'manager', 'member', 'timedOut'] as const) {
      clients[actor] = await (await SyncClient.connect(url, { token: tokens[actor] })).synced();
    }
  });

  afterAll(async () => {
    for (const c of Object.values(clients)) await c.close();
    await app?.close();
  });

  return {
    get app() {
      return app;
    },
    get db() {
      return db;
    },
    tokens,
    ids,
    get general() {
      return general;
    },
    get modRole() {
      return modRole;
    },
    get managerRole() {
      return managerRole;
    },
    get everyoneRole() {
      return everyoneRole;
    },
    next: () => ++counter,
    rest,
    mutate,
    answer,
    makeUser,
    makeRole,
    makeChannel,
    makePrivateChannel,
    makeMessage,
  };
}
