import { afterAll, beforeAll, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import { newId, type AckDown, type RejectDown } from '@echora/shared';
import { describeEachDb } from '../../test/helpers/db.ts';
import { createTestApp, registerUser } from '../../test/helpers/app.ts';
import { SyncClient } from '../../test/helpers/sync-client.ts';
import { defaultGroupCommit } from './group-commit.ts';
import { laneOf } from './lanes.ts';

type Answer = AckDown | RejectDown;
interface Frame {
  type: 'mutate';
  seq: number;
  name: string;
  args: Record<string, unknown>;
}

/** A channel id whose mutations run on `lane` of the default lanes (mutations without one: lane of ''). */
function idOnLane(lane: number, not: string[] = []): string {
  for (;;) {
    const id = newId();
    if (laneOf({ args: { channelId: id } }, defaultGroupCommit.lanes) === lane && !not.includes(id))
      return id;
  }
}

/**
 * One client's window of mutations over several scopes and lanes (on
 * Postgres; PGlite has one lane): channels and a role made on the lane of
 * mutations without a channel, sends on two other lanes (two in a row on
 * each: a run after a switch), a refusal, a send to a channel that does not
 * exist (its lane reloads the permission cache and refuses it), replays of
 * an ack and of a refusal, and an edit back on the first lane.
 */
function script(): Frame[] {
  const home = laneOf({ args: {} }, defaultGroupCommit.lanes);
  const lanes = [0, 1, 2, 3].filter((l) => l !== home);
  const [x, y, missing] = lanes.map((l) => idOnLane(l)) as [string, string, string];
  const m = Array.from({ length: 5 }, () => newId());
  const role = newId();
  const steps: [string, Record<string, unknown>][] = [
    ['role.create', { id: role, name: 'Window' }],
    ['channel.create', { id: x, kind: 'text', name: 'x' }],
    ['channel.create', { id: y, kind: 'text', name: 'y' }],
    ['message.send', { id: m[0], channelId: x, content: 'x1' }],
    ['message.send', { id: m[1], channelId: x, content: 'x2' }],
    ['message.send', { id: m[2], channelId: y, content: 'y1' }],
    ['message.send', { id: newId(), channelId: y, content: '' }],
    ['message.send', { id: m[3], channelId: y, content: 'y2' }],
    ['message.send', { id: newId(), channelId: missing, content: 'nowhere' }],
    ['message.edit', { id: m[0], content: 'x1 edited' }],
    ['message.send', { id: m[4], channelId: x, content: 'x3' }],
  ];
  const frames: Frame[] = steps.map(([name, args], i) => ({
    type: 'mutate',
    seq: i + 1,
    name,
    args,
  }));
  // Replays of seq 5 (an ack) and seq 7 (a refusal), inside the window.
  frames.splice(8, 0, frames[4] as Frame);
  frames.push(frames[6] as Frame);
  return frames;
}

describeEachDb('sync: one client’s window of mutations over several lanes', (getDb) => {
  let app: FastifyInstance;
  let url: string;
  let token: string;

  beforeAll(async () => {
    app = await createTestApp(getDb(), {
      sync: {
        sendRate: { capacity: 10_000, windowMs: 1000 },
        frameRate: { capacity: 1000, windowMs: 10_000 },
      },
    });
    url = await app.listen({ port: 0, host: '127.0.0.1' });
    token = (await registerUser(app, 'owner')).accessToken;
  });
  afterAll(async () => {
    await app?.close();
  });

  /** Sends `frames` at once (`window`) or each after the last answer; the answers in arrival order. */
  async function send(frames: Frame[], window: boolean): Promise<Answer[]> {
    const c = await (await SyncClient.connect(url, { token })).synced();
    const answers: Answer[] = [];
    const all = new Promise<void>((resolve) => {
      const onFrame = (data: Buffer) => {
        const f = JSON.parse(data.toString('utf8')) as { type: string };
        if (f.type === 'ack' || f.type === 'reject') answers.push(f as Answer);
        if (answers.length === frames.length) {
          c.ws.off('message', onFrame);
          resolve();
        }
      };
      c.ws.on('message', onFrame);
    });
    for (const frame of frames) {
      const answered = window ? undefined : c.next((f) => f.type === 'ack' || f.type === 'reject');
      c.send(frame);
      await answered;
    }
    await all;
    const rows = await getDb().query<{ seq: string; result: Answer }>(
      'SELECT seq, result FROM client_mutations WHERE client_id = $1 ORDER BY seq',
      [c.clientId],
    );
    await c.close();
    // Every answer recorded once, seq after seq, as it was sent.
    expect(rows.rows.map((r) => Number(r.seq))).toEqual(
      [...new Set(frames.map((f) => f.seq))].sort((a, b) => a - b),
    );
    for (const row of rows.rows) {
      expect(answers.find((a) => a.seq === Number(row.seq))).toEqual(row.result);
    }
    return answers;
  }

  /** What a run left, without its ids: answers, the channels' messages, the role. */
  async function outcome(frames: Frame[], answers: Answer[]) {
    const arg = (seq: number, key: string) => frames.find((f) => f.seq === seq)?.args[key];
    const messages = async (channelId: unknown) =>
      (
        await getDb().query<{ content: string; edited: boolean }>(
          `SELECT content, edited_at IS NOT NULL AS edited FROM messages
           WHERE channel_id = $1 ORDER BY seq`,
          [channelId],
        )
      ).rows;
    const role = await getDb().query('SELECT name FROM roles WHERE id = $1', [arg(1, 'id')]);
    return {
      answers: answers.map((a) =>
        a.type === 'ack'
          ? { seq: a.seq, type: a.type, scope: a.scope?.split(':')[0] }
          : { seq: a.seq, type: a.type, error: a.error.kind },
      ),
      x: await messages(arg(2, 'id')),
      y: await messages(arg(3, 'id')),
      role: role.rows,
    };
  }

  it('answers every mutation in frame order, no seq gap, as if sent one at a time', async () => {
    // Several rounds: the lanes of the channels are fixed, the timing of their batches is not.
    for (let round = 0; round < 5; round++) {
      const sequential = script();
      const expected = await outcome(sequential, await send(sequential, false));
      const windowed = script();
      const got = await outcome(windowed, await send(windowed, true));
      expect(got).toEqual(expected);
    }
    const frames = script();
    const { answers, x, y, role } = await outcome(frames, await send(frames, true));
    expect(answers.map((a) => a.seq)).toEqual(frames.map((f) => f.seq));
    expect(answers.map((a) => a.error ?? a.type)).toEqual([
      ...['ack', 'ack', 'ack', 'ack', 'ack', 'ack', 'invalid', 'ack'],
      ...['ack', 'not_found', 'ack', 'ack', 'invalid'],
    ]);
    expect(x).toEqual([
      { content: 'x1 edited', edited: true },
      { content: 'x2', edited: false },
      { content: 'x3', edited: false },
    ]);
    expect(y).toEqual([
      { content: 'y1', edited: false },
      { content: 'y2', edited: false },
    ]);
    expect(role).toEqual([{ name: 'Window' }]);
  });
});
