import { connect } from 'node:net';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import { SignJWT } from 'jose';
import { newId } from '@echora/shared';
import {
  VOICE_NODE_MAX_PARTICIPANTS,
  VOICE_REPORT_AUDIENCE,
  VOICE_REPORT_MAX_BYTES,
  type VoiceNodeReport,
} from '@echora/shared/voice/index';
import { createTestApp } from '../../../test/helpers/app.ts';
import { describeEachDb } from '../../../test/helpers/db.ts';

/*
 * The SFU nodes' report route is authenticated before its body is read, and
 * its body is capped: an unauthenticated sender cannot make the server read,
 * parse or validate megabytes.
 */
describeEachDb('the voice report route', (getDb) => {
  let app: FastifyInstance;
  let port: number;

  beforeAll(async () => {
    app = await createTestApp(getDb());
    const url = new URL(await app.listen({ port: 0, host: '127.0.0.1' }));
    port = Number(url.port);
  });
  afterAll(() => app.close());

  const nodeToken = (node: string) =>
    new SignJWT({ node })
      .setProtectedHeader({ alg: 'HS256' })
      .setIssuedAt()
      .setExpirationTime('60s')
      .setAudience(VOICE_REPORT_AUDIENCE)
      .sign(new TextEncoder().encode(app.config.voiceGrantSecret));

  /**
   * Sends a request's head announcing `length` bytes of body and `prefix` of
   * it, never the rest, and resolves with the status line of the answer.
   */
  function headOnly(
    headers: Record<string, string>,
    length: number,
    prefix = '{"node":',
  ): Promise<string> {
    return new Promise((resolve, reject) => {
      const socket = connect(port, '127.0.0.1');
      let answer = '';
      const timer = setTimeout(() => {
        socket.destroy();
        reject(new Error('no answer while the body was still to come'));
      }, 5000);
      socket.on('data', (chunk: Buffer) => {
        answer += chunk.toString('latin1');
        const line = answer.split('\r\n')[0];
        if (line !== undefined && answer.includes('\r\n')) {
          clearTimeout(timer);
          socket.destroy();
          resolve(line);
        }
      });
      socket.on('error', reject);
      const head = Object.entries({
        host: `127.0.0.1:${port}`,
        'content-type': 'application/json',
        'content-length': String(length),
        ...headers,
      })
        .map(([k, v]) => `${k}: ${v}\r\n`)
        .join('');
      socket.write(`POST /api/internal/voice/report HTTP/1.1\r\n${head}\r\n${prefix}`);
    });
  }

  it('answers 401 to an unauthenticated 8 MB report before reading its body', async () => {
    const eight = 8 * 1024 * 1024;
    expect(await headOnly({}, eight)).toBe('HTTP/1.1 401 Unauthorized');
    expect(await headOnly({ authorization: 'Bearer nope' }, eight)).toBe(
      'HTTP/1.1 401 Unauthorized',
    );
    // A token of the right secret for another purpose is no node token either.
    const grantLike = await new SignJWT({ node: 'sfu' })
      .setProtectedHeader({ alg: 'HS256' })
      .setExpirationTime('60s')
      .setAudience('echora-sfu')
      .sign(new TextEncoder().encode(app.config.voiceGrantSecret));
    expect(await headOnly({ authorization: `Bearer ${grantLike}` }, eight)).toBe(
      'HTTP/1.1 401 Unauthorized',
    );
  });

  it('refuses a signed report over the cap with 413, and takes the largest a node may send', async () => {
    const authorization = `Bearer ${await nodeToken('sfu-big')}`;
    expect(await headOnly({ authorization }, VOICE_REPORT_MAX_BYTES + 1)).toBe(
      'HTTP/1.1 413 Payload Too Large',
    );

    const participants = Array.from({ length: VOICE_NODE_MAX_PARTICIPANTS }, () => ({
      userId: newId(),
      channelId: newId(),
      muted: false,
      serverMuted: false,
      deafened: false,
      serverDeafened: false,
      streaming: false,
      camera: false,
      screen: false,
      speaking: false,
      joinedAt: Date.now(),
    }));
    const report: VoiceNodeReport = {
      node: 'sfu-big',
      epoch: newId(),
      seq: 1,
      participants,
      perms: participants.map((p) => ({
        userId: p.userId,
        channelId: p.channelId,
        perms: { speak: false, stream: false, moderate: false },
      })),
    };
    const body = JSON.stringify(report);
    expect(body.length).toBeLessThan(VOICE_REPORT_MAX_BYTES);
    const post = (payload: string) =>
      fetch(`http://127.0.0.1:${port}/api/internal/voice/report`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization },
        body: payload,
      });
    expect((await post(body)).status).toBe(204);
    expect(app.voice.channels().size).toBe(VOICE_NODE_MAX_PARTICIPANTS);
    // One participant more than a node may hold is not a report.
    const over = { ...report, seq: 2, participants: [...participants, participants[0]!] };
    expect((await post(JSON.stringify(over))).status).toBe(400);
    // Padding past the cap, sent for real.
    const padded = body.replace('"seq":1', `"seq":3,"pad":"${'x'.repeat(VOICE_REPORT_MAX_BYTES)}"`);
    const tooBig = await post(padded);
    expect(tooBig.status).toBe(413);
    expect(await tooBig.json()).toMatchObject({ error: { kind: 'too_large' } });
  });
});
