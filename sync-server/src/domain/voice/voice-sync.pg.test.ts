import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { randomBytes, randomUUID } from 'node:crypto';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import { SignJWT, jwtVerify } from 'jose';
import { newId, Permission, type DownMessage } from '@echora/shared';
import {
  VOICE_COMMAND_AUDIENCE,
  VOICE_NODE_TTL_MS,
  VOICE_REPORT_AUDIENCE,
  type SfuModerateCommand,
  type VoiceParticipant,
} from '@echora/shared/voice/index';
import { createTestApp, registerUser } from '../../../test/helpers/app.ts';
import { describeEachDb } from '../../../test/helpers/db.ts';
import { SyncClient, until } from '../../../test/helpers/sync-client.ts';

const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';

/*
 * Two app instances on one database and one Redis bus: an SFU reports to
 * node A, sockets on node B learn it as `voice.snapshot` and `voice.state`
 * frames. Moderation goes through node A to a real HTTP endpoint playing the
 * SFU node's control route, which reports the new state as the SFU does.
 */
describeEachDb('voice state over the sync socket, across two nodes', (getDb) => {
  const secrets = {
    jwtSecret: randomBytes(32).toString('hex'),
    voiceGrantSecret: randomBytes(32).toString('hex'),
    redisUrl: REDIS_URL,
    redisPrefix: `echora_t_${randomUUID()}:`,
  };
  let a: FastifyInstance;
  let b: FastifyInstance;
  let urlA: string;
  let urlB: string;
  let owner: { id: string; token: string };
  let member: { id: string; token: string };
  let moderator: { id: string; token: string };
  let general: string;
  const hidden = newId();
  const clients: SyncClient[] = [];
  // The stand-in SFU node: its participants, the commands it got, and its control route.
  const node = { name: 'sfu-test', epoch: randomUUID(), seq: 0 };
  let held: VoiceParticipant[] = [];
  const commands: SfuModerateCommand[] = [];
  let control: Server;
  let controlUrl: string;

  beforeAll(async () => {
    a = await createTestApp(getDb(), { config: secrets });
    b = await createTestApp(getDb(), { config: secrets });
    urlA = await a.listen({ port: 0, host: '127.0.0.1' });
    urlB = await b.listen({ port: 0, host: '127.0.0.1' });
    const register = async (name: string) => {
      const r = await registerUser(a, name);
      return { id: r.user.id, token: r.accessToken };
    };
    owner = await register('owner');
    member = await register('member');
    moderator = await register('moderator');
    const db = getDb();
    general = (
      await db.query<{ id: string }>(
        "SELECT id FROM channels WHERE kind = 'voice' AND deleted_at IS NULL LIMIT 1",
      )
    ).rows[0]!.id;
    await db.query("INSERT INTO channels (id, kind, name) VALUES ($1, 'voice', 'Hidden')", [
      hidden,
    ]);
    const everyone = (await db.query<{ id: string }>('SELECT id FROM roles WHERE is_everyone'))
      .rows[0]?.id;
    await db.query(
      `INSERT INTO channel_overrides (channel_id, target_type, target_id, allow, deny)
       VALUES ($1, 'role', $2, 0, $3), ($4, 'member', $5, $6, 0)`,
      [hidden, everyone, Permission.viewChannel, general, moderator.id, Permission.muteMembers],
    );
    // Rows written behind the engines' backs: make both reload who may see what.
    await Promise.all([a.sync.deps.access.reload(), b.sync.deps.access.reload()]);

    control = createServer((req, res) => {
      let body = '';
      req.on('data', (c: Buffer) => (body += c.toString('utf8')));
      req.on('end', () => {
        void (async () => {
          const token = req.headers.authorization?.slice('Bearer '.length) ?? '';
          try {
            await jwtVerify(token, new TextEncoder().encode(secrets.voiceGrantSecret), {
              audience: VOICE_COMMAND_AUDIENCE,
            });
          } catch {
            res.writeHead(401).end();
            return;
          }
          if (req.url === '/internal/access') {
            // The enforcer's commands (e.g. someone listed in a channel they cannot see);
            // voice-access.pg.test.ts tests them against a real SFU.
            res.writeHead(200, { 'content-type': 'application/json' });
            res.end(JSON.stringify({ ended: 0, updated: 0 }));
            return;
          }
          const command = JSON.parse(body) as SfuModerateCommand;
          commands.push(command);
          const p = held.find(
            (x) => x.userId === command.userId && x.channelId === command.channelId,
          );
          if (!p) {
            res.writeHead(404).end();
            return;
          }
          if (command.mute !== undefined) p.serverMuted = command.mute;
          if (command.deafen !== undefined) p.serverDeafened = command.deafen;
          await report(held);
          res.writeHead(200, { 'content-type': 'application/json' });
          res.end(JSON.stringify({ serverMuted: p.serverMuted, serverDeafened: p.serverDeafened }));
        })();
      });
    });
    await new Promise<void>((r) => control.listen(0, '127.0.0.1', r));
    controlUrl = `http://127.0.0.1:${(control.address() as AddressInfo).port}`;
  }, 60_000);

  afterAll(async () => {
    await Promise.all(clients.map((c) => c.close()));
    await a.close();
    await b.close();
    await new Promise<void>((r) => control.close(() => r()));
  });

  const participant = (userId: string, channelId: string): VoiceParticipant => ({
    userId,
    channelId,
    muted: false,
    serverMuted: false,
    deafened: false,
    serverDeafened: false,
    streaming: false,
    camera: false,
    screen: false,
    speaking: false,
    joinedAt: Date.now(),
  });

  /** Posts the stand-in node's whole state to node A, as the SFU's reporter does. */
  async function report(participants: VoiceParticipant[]): Promise<void> {
    held = participants;
    const token = await new SignJWT({ node: node.name })
      .setProtectedHeader({ alg: 'HS256' })
      .setIssuedAt()
      .setExpirationTime('60s')
      .setAudience(VOICE_REPORT_AUDIENCE)
      .sign(new TextEncoder().encode(secrets.voiceGrantSecret));
    const res = await fetch(`${urlA}/api/internal/voice/report`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
      body: JSON.stringify({
        node: node.name,
        epoch: node.epoch,
        seq: ++node.seq,
        participants,
        control: controlUrl,
      }),
    });
    expect(res.status).toBe(204);
  }

  async function connect(url: string, who: { token: string }): Promise<SyncClient> {
    const client = await (await SyncClient.connect(url, { token: who.token })).synced();
    clients.push(client);
    return client;
  }

  const voiceState =
    (channelId: string, test: (p: VoiceParticipant[]) => boolean) => (f: DownMessage) =>
      f.type === 'voice.state' && f.channelId === channelId && test(f.participants);

  const moderate = (who: { token: string } | undefined, body: unknown) =>
    a.inject({
      method: 'POST',
      url: '/api/voice/moderate',
      payload: body as object,
      ...(who ? { headers: { authorization: `Bearer ${who.token}` } } : {}),
    });

  it('an SFU report to node A reaches sockets on node B: deltas, the snapshot after presence, only visible channels', async () => {
    const onB = await connect(urlB, member);
    const before = onB.frames.map((f) => f.type);
    // The snapshot comes right after the presence snapshot, empty while nobody talks.
    expect(before.indexOf('voice.snapshot')).toBe(before.indexOf('presence.snapshot') + 1);
    expect(onB.frames.find((f) => f.type === 'voice.snapshot')).toEqual({
      type: 'voice.snapshot',
      channels: [],
    });

    await report([participant(owner.id, general), participant(moderator.id, hidden)]);
    await onB.waitFor(voiceState(general, (p) => p.length === 1 && p[0]?.userId === owner.id));
    await until(
      () => b.voice.channel(hidden).length === 1,
      5000,
      'node B holds the hidden channel',
    );
    // Both nodes know the SFU node's people; only A, which it reported to, sends it commands.
    expect(a.voice.held().map((h) => h.node)).toEqual([node.name]);
    expect(b.voice.held()).toEqual([]);

    const later = await connect(urlB, member);
    const snapshot = later.frames.find((f) => f.type === 'voice.snapshot');
    expect(snapshot).toMatchObject({ channels: [{ channelId: general }] });
    const ownerOnB = await connect(urlB, owner);
    const all = ownerOnB.frames.find((f) => f.type === 'voice.snapshot');
    expect(all?.type === 'voice.snapshot' && all.channels.map((c) => c.channelId).sort()).toEqual(
      [general, hidden].sort(),
    );

    // The owner leaves; then the SFU goes silent and node B forgets what it reported.
    await report([participant(moderator.id, hidden)]);
    await onB.waitFor(voiceState(general, (p) => p.length === 0));
    await ownerOnB.waitFor(voiceState(hidden, (p) => p.length === 1));
    b.voice.expire(Date.now() + VOICE_NODE_TTL_MS + 1);
    await ownerOnB.waitFor(voiceState(hidden, (p) => p.length === 0));
    // The member never learned anything of the hidden channel.
    for (const c of [onB, later])
      expect(c.frames.some((f) => f.type === 'voice.state' && f.channelId === hidden)).toBe(false);
  }, 30_000);

  it('a node that starts later learns the voice state from the others at once', async () => {
    await report([participant(owner.id, general)]);
    await until(() => b.voice.channel(general).length === 1, 5000, 'node B holds the report');
    const c = await createTestApp(getDb(), { config: secrets });
    try {
      // No SFU report comes meanwhile: only the other nodes can have told it.
      await until(() => c.voice.channel(general).length === 1, 5000, 'node C learns it');
      expect(c.voice.channel(general)[0]?.userId).toBe(owner.id);
    } finally {
      await c.close();
    }
  });

  it('server mute needs muteMembers in the channel: a plain member is refused and nothing changes', async () => {
    const watcher = await connect(urlB, member);
    await report([participant(member.id, general), participant(owner.id, general)]);
    await watcher.waitFor(voiceState(general, (p) => p.length === 2));
    await until(() => a.voice.channel(general).length === 2, 5000, 'node A holds the report');

    const refused = await moderate(member, { userId: owner.id, mute: true });
    expect(refused.statusCode).toBe(403);
    expect(refused.json<{ error: { kind: string } }>().error.kind).toBe('forbidden');
    expect(commands).toEqual([]);
    expect(a.voice.channel(general).find((p) => p.userId === owner.id)?.serverMuted).toBe(false);

    const muted = await moderate(owner, { userId: member.id, mute: true });
    expect(muted.statusCode).toBe(200);
    expect(muted.json()).toEqual({
      userId: member.id,
      channelId: general,
      serverMuted: true,
      serverDeafened: false,
    });
    expect(commands).toEqual([{ userId: member.id, channelId: general, mute: true }]);
    await watcher.waitFor(
      voiceState(general, (p) => p.some((x) => x.userId === member.id && x.serverMuted)),
    );

    // A member allowed muteMembers on this channel by an override may deafen.
    const deafened = await moderate(moderator, { userId: owner.id, deafen: true });
    expect(deafened.statusCode).toBe(200);
    expect(deafened.json()).toMatchObject({ serverMuted: false, serverDeafened: true });
    await watcher.waitFor(
      voiceState(general, (p) => p.some((x) => x.userId === owner.id && x.serverDeafened)),
    );
  }, 30_000);

  it('a grant carries a standing server mute after the user left, until it is lifted', async () => {
    const grantFor = async () => {
      const response = await a.inject({
        method: 'POST',
        url: '/api/voice/grant',
        payload: { channelId: general },
        headers: { authorization: `Bearer ${member.token}` },
      });
      expect(response.statusCode).toBe(200);
      const { token } = response.json<{ token: string }>();
      const { payload } = await jwtVerify(
        token,
        new TextEncoder().encode(secrets.voiceGrantSecret),
        { audience: 'echora-sfu' },
      );
      return payload.mod;
    };
    await report([{ ...participant(member.id, general), serverMuted: true }]);
    await until(() => a.voice.channel(general).length === 1, 5000, 'node A holds the report');
    await report([]);
    await until(() => a.voice.channel(general).length === 0, 5000, 'the member left');
    expect(await grantFor()).toEqual({ mute: true, deafen: false });
    await report([participant(member.id, general)]);
    await until(() => a.voice.channel(general).length === 1, 5000, 'back, unmuted');
    expect(await grantFor()).toBeUndefined();
  });

  it.each([
    ['no token', undefined, () => ({ userId: newId(), mute: true }), 401, 'unauthorized'],
    ['a bad body', 'owner', () => ({ userId: 'nope', mute: true }), 400, 'invalid'],
    ['an unknown field', 'owner', () => ({ userId: newId(), mute: true, x: 1 }), 400, 'invalid'],
    ['neither mute nor deafen', 'owner', () => ({ userId: member.id }), 400, 'invalid'],
    ['a user not in voice', 'owner', () => ({ userId: newId(), mute: true }), 404, 'not_found'],
  ] as const)('refuses %s with a typed error', async (_name, who, body, status, kind) => {
    const count = commands.length;
    const response = await moderate(who ? owner : undefined, body());
    expect(response.statusCode).toBe(status);
    expect(response.json<{ error: { kind: string } }>().error.kind).toBe(kind);
    expect(commands).toHaveLength(count);
  });

  it('hides who sits in a channel the moderator cannot see', async () => {
    await report([participant(owner.id, hidden)]);
    await until(() => a.voice.channel(hidden).length === 1, 5000, 'node A holds the report');
    const response = await moderate(moderator, { userId: owner.id, mute: true });
    expect(response.statusCode).toBe(404);
  });
});
