import { randomBytes, randomUUID } from 'node:crypto';
import { SignJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { VOICE_REPORT_AUDIENCE, type VoiceParticipant } from '@echora/shared/voice/index';
import type { SyncEngine } from '../src/sync/engine.ts';
import { dispose, engineFor, newDevice, until } from './helpers.ts';
import { startServer, type Account, type TestServer } from './server.ts';

/*
 * The client engine's voice roster against a real server process: an SFU
 * node's report (posted as the SFU does) reaches the engine as
 * `voice.state`, a reconnect gets it back as `voice.snapshot`, and the
 * roster empties while the socket is down.
 */

// The server process inherits this environment: it must sign and check with our secret.
const secret = randomBytes(32).toString('hex');
process.env.VOICE_GRANT_SECRET = secret;

describe('voice roster over the sync socket', () => {
  let server: TestServer;
  let alice: Account;
  let engine: SyncEngine;
  let general: string;
  const node = { name: `sfu-${randomUUID()}`, epoch: randomUUID(), seq: 0 };

  beforeAll(async () => {
    server = await startServer('pglite');
    alice = await server.register('alice');
    engine = engineFor(newDevice(), alice, server.syncUrl);
    engine.start();
    general = await until(async () => {
      const channels = await engine.replica.channels.toArray();
      return channels.find((c) => c.kind === 'voice')?.id;
    }, 'the voice channel');
  });

  afterAll(async () => {
    if (engine) dispose(engine);
    await server?.stop();
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
    speaking: true,
    joinedAt: Date.now(),
  });

  async function report(participants: VoiceParticipant[]): Promise<void> {
    const token = await new SignJWT({ node: node.name })
      .setProtectedHeader({ alg: 'HS256' })
      .setIssuedAt()
      .setExpirationTime('60s')
      .setAudience(VOICE_REPORT_AUDIENCE)
      .sign(new TextEncoder().encode(secret));
    const response = await fetch(`${server.url}/api/internal/voice/report`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
      body: JSON.stringify({ node: node.name, epoch: node.epoch, seq: ++node.seq, participants }),
    });
    expect(response.status).toBe(204);
  }

  const inGeneral = () =>
    engine
      .voiceRoster()
      .get(general)
      ?.map((p) => p.userId) ?? [];

  it('applies voice.state as it comes, empties on disconnect, and heals from voice.snapshot', async () => {
    const seen: number[] = [];
    const off = engine.onVoice((channels) => seen.push(channels.get(general)?.length ?? 0));
    await report([participant(alice.user.id, general)]);
    await until(() => Promise.resolve(inGeneral().length === 1), 'Alice in the roster');
    expect(inGeneral()).toEqual([alice.user.id]);
    expect(engine.voiceRoster().get(general)?.[0]?.speaking).toBe(true);

    await report([]);
    await until(() => Promise.resolve(!engine.voiceRoster().has(general)), 'General empty');

    await report([participant(alice.user.id, general)]);
    await until(() => Promise.resolve(inGeneral().length === 1), 'Alice back');
    engine.stop();
    expect(engine.voiceRoster().size).toBe(0);
    engine.start();
    // Nothing changed on the server meanwhile: only the snapshot can bring her back.
    await until(() => Promise.resolve(inGeneral().length === 1), 'Alice from the snapshot');
    off();
    // The first snapshot may arrive (empty) after we subscribed: count changes, from empty.
    const changes = seen.filter((n, i) => n !== (i === 0 ? 0 : seen[i - 1]));
    expect(changes).toEqual([1, 0, 1, 0, 1]);
  });
});
