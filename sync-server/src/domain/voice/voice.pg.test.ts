import { afterAll, beforeAll, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import { SignJWT, jwtVerify } from 'jose';
import { newId, Permission } from '@echora/shared';
import {
  VOICE_GRANT_AUDIENCE,
  VOICE_GRANT_ISSUER,
  VOICE_NODE_TTL_MS,
  VOICE_REPORT_AUDIENCE,
  type VoiceGrantResponse,
  type VoiceNodeReport,
  type VoiceParticipant,
} from '@echora/shared/voice/index';
import { createTestApp, registerUser } from '../../../test/helpers/app.ts';
import { describeEachDb } from '../../../test/helpers/db.ts';
import { pickNode } from './nodes.ts';

describeEachDb('voice: grants and voice state', (getDb) => {
  let app: FastifyInstance;
  let owner: { id: string; token: string };
  let member: { id: string; token: string };
  const voice = newId();
  const text = newId();
  const muted = newId();
  const closed = newId();
  const hidden = newId();

  beforeAll(async () => {
    app = await createTestApp(getDb());
    const db = getDb();
    const register = async (name: string) => {
      const r = await registerUser(app, name);
      await db.query('INSERT INTO members (user_id) VALUES ($1) ON CONFLICT DO NOTHING', [
        r.user.id,
      ]);
      return { id: r.user.id, token: r.accessToken };
    };
    owner = await register('owner');
    member = await register('member');
    const channels: [string, 'voice' | 'text'][] = [
      [voice, 'voice'],
      [text, 'text'],
      [muted, 'voice'],
      [closed, 'voice'],
      [hidden, 'voice'],
    ];
    for (const [id, kind] of channels)
      await db.query('INSERT INTO channels (id, kind, name) VALUES ($1, $2, $3)', [id, kind, kind]);
    const everyone = (await db.query<{ id: string }>('SELECT id FROM roles WHERE is_everyone'))
      .rows[0]?.id;
    const deny = async (channelId: string, bits: number) =>
      db.query(
        `INSERT INTO channel_overrides (channel_id, target_type, target_id, allow, deny)
         VALUES ($1, 'role', $2, 0, $3)`,
        [channelId, everyone, bits],
      );
    await deny(muted, Permission.speak | Permission.stream);
    await deny(closed, Permission.connect);
    await deny(hidden, Permission.viewChannel);
  });
  afterAll(() => app.close());

  const grant = (token: string | undefined, body: unknown) =>
    app.inject({
      method: 'POST',
      url: '/api/voice/grant',
      payload: body as object,
      ...(token ? { headers: { authorization: `Bearer ${token}` } } : {}),
    });

  const claimsOf = async (token: string) =>
    (
      await jwtVerify(token, new TextEncoder().encode(app.config.voiceGrantSecret), {
        audience: VOICE_GRANT_AUDIENCE,
        issuer: VOICE_GRANT_ISSUER,
      })
    ).payload;

  it('grants a member a short-lived token for the local SFU with speak and stream', async () => {
    const response = await grant(member.token, { channelId: voice });
    expect(response.statusCode).toBe(200);
    const body = response.json<VoiceGrantResponse>();
    expect(body.url).toBe(`ws://localhost:${app.config.sfuPort}`);
    expect(body.iceServers).toEqual([]);
    expect(body.perms).toEqual({ speak: true, stream: true, moderate: false });
    const claims = await claimsOf(body.token);
    expect(claims).toMatchObject({ sub: member.id, ch: voice, node: body.url, perms: body.perms });
    expect((claims.exp ?? 0) - (claims.iat ?? 0)).toBeLessThanOrEqual(60);
    expect(body.expiresAt).toBe((claims.exp ?? 0) * 1000);
  });

  it('lets the owner moderate', async () => {
    const body = (await grant(owner.token, { channelId: voice })).json<VoiceGrantResponse>();
    expect(body.perms).toEqual({ speak: true, stream: true, moderate: true });
  });

  it('grants without speak or stream where an override denies them', async () => {
    const body = (await grant(member.token, { channelId: muted })).json<VoiceGrantResponse>();
    expect(body.perms).toEqual({ speak: false, stream: false, moderate: false });
    expect((await claimsOf(body.token)).perms).toEqual(body.perms);
  });

  it.each([
    ['no token', undefined, () => ({ channelId: voice }), 401, 'unauthorized'],
    ['a bad body', 'member', () => ({ channelId: 'nope' }), 400, 'invalid'],
    ['a text channel', 'member', () => ({ channelId: text }), 400, 'invalid'],
    ['an unknown channel', 'member', () => ({ channelId: newId() }), 404, 'not_found'],
    ['a hidden channel', 'member', () => ({ channelId: hidden }), 404, 'not_found'],
    ['a channel without connect', 'member', () => ({ channelId: closed }), 403, 'forbidden'],
  ] as const)('refuses %s with a typed error', async (_name, who, body, status, kind) => {
    const response = await grant(who ? member.token : undefined, body());
    expect(response.statusCode).toBe(status);
    expect(response.json<{ error: { kind: string } }>().error.kind).toBe(kind);
  });

  it('spreads channels over SFU_URLS by hashing, the same way every time', () => {
    const urls = ['http://a:3001', 'http://b:3001', 'https://c'];
    const picks = Array.from({ length: 60 }, () => pickNode(newId(), urls));
    expect(new Set(picks)).toEqual(new Set(['ws://a:3001', 'ws://b:3001', 'wss://c']));
    const id = newId();
    expect(pickNode(id, urls)).toBe(pickNode(id, [...urls].reverse()));
  });

  const participant = (userId: string, channelId: string): VoiceParticipant => ({
    userId,
    channelId,
    muted: false,
    serverMuted: false,
    serverDeafened: false,
    deafened: false,
    streaming: false,
    camera: false,
    screen: false,
    speaking: false,
    joinedAt: Date.now(),
  });

  const report = async (body: VoiceNodeReport, node = body.node, secret?: string) => {
    const token = await new SignJWT({ node })
      .setProtectedHeader({ alg: 'HS256' })
      .setIssuedAt()
      .setExpirationTime('60s')
      .setAudience(VOICE_REPORT_AUDIENCE)
      .sign(new TextEncoder().encode(secret ?? app.config.voiceGrantSecret));
    return app.inject({
      method: 'POST',
      url: '/api/internal/voice/report',
      payload: body,
      headers: { authorization: `Bearer ${token}` },
    });
  };

  const stateFor = async (token: string) =>
    (
      await app.inject({ url: '/api/voice/state', headers: { authorization: `Bearer ${token}` } })
    ).json<{ channels: { channelId: string; participants: VoiceParticipant[] }[] }>().channels;

  it('takes SFU reports, shows only visible channels, ignores stale ones, forgets dead nodes', async () => {
    const seen: string[] = [];
    const unsubscribe = app.voice.subscribe((channelId, list) =>
      seen.push(`${channelId}:${list.length}`),
    );
    const base = { node: 'sfu-a', epoch: 'e1' };
    const first = {
      ...base,
      seq: 2,
      participants: [participant(member.id, voice), participant(owner.id, hidden)],
    };
    expect((await report(first)).statusCode).toBe(204);
    expect(seen).toEqual([`${voice}:1`, `${hidden}:1`]);
    expect((await stateFor(member.token)).map((c) => c.channelId)).toEqual([voice]);
    expect((await stateFor(owner.token)).map((c) => c.channelId).sort()).toEqual(
      [voice, hidden].sort(),
    );

    // A late post of an older seq must not bring back an older state.
    expect((await report({ ...base, seq: 1, participants: [] })).statusCode).toBe(204);
    expect(app.voice.channel(voice)).toHaveLength(1);

    expect((await report({ ...base, seq: 3, participants: [] }, 'sfu-b')).statusCode).toBe(403);
    expect(
      (await report({ ...base, seq: 3, participants: [] }, 'sfu-a', 'x'.repeat(40))).statusCode,
    ).toBe(401);
    const unsigned = await app.inject({
      method: 'POST',
      url: '/api/internal/voice/report',
      payload: { ...base, seq: 4, participants: [] },
    });
    expect(unsigned.statusCode).toBe(401);
    const bad = await report({ ...base, seq: 4, participants: 'x' } as unknown as VoiceNodeReport);
    expect(bad.statusCode).toBe(400);

    app.voice.expire(Date.now() + VOICE_NODE_TTL_MS + 1);
    expect(app.voice.channels().size).toBe(0);
    expect(seen.slice(-2).sort()).toEqual([`${hidden}:0`, `${voice}:0`].sort());
    unsubscribe();
  });
});
