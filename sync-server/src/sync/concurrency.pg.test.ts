import { afterAll, beforeAll, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import fc from 'fast-check';
import { newId } from '@echora/shared';
import { describeEachDb } from '../../test/helpers/db.ts';
import { createTestApp } from '../../test/helpers/app.ts';
import { Replica, SyncClient, until } from '../../test/helpers/sync-client.ts';
import { signAccessToken } from '../domain/auth/tokens.ts';

const WRITERS = 20;

type Op =
  | { kind: 'send' }
  | { kind: 'edit'; pick: number }
  | { kind: 'delete'; pick: number }
  | { kind: 'drop' };

const opArb: fc.Arbitrary<Op> = fc.oneof(
  { weight: 4, arbitrary: fc.constant({ kind: 'send' as const }) },
  { weight: 2, arbitrary: fc.nat(50).map((pick) => ({ kind: 'edit' as const, pick })) },
  { weight: 1, arbitrary: fc.nat(50).map((pick) => ({ kind: 'delete' as const, pick })) },
  { weight: 1, arbitrary: fc.constant({ kind: 'drop' as const }) },
);

describeEachDb('sync: concurrent writers', (getDb) => {
  let app: FastifyInstance;
  let url: string;
  const tokens: string[] = [];

  beforeAll(async () => {
    app = await createTestApp(getDb(), {
      sync: { sendRate: { capacity: 100_000, windowMs: 1000 } },
    });
    url = await app.listen({ port: 0, host: '127.0.0.1' });
    // Members made directly (no password hashing: 20 argon2 hashes would dominate the run).
    for (let i = 0; i < WRITERS; i++) {
      const id = newId();
      const publish = await getDb().transaction(async (tx) => {
        await tx.query(
          "INSERT INTO users (id, username, password_hash, display_name) VALUES ($1, $2, 'x', $2)",
          [id, `writer${i}`],
        );
        return app.sync.addMember(tx, id);
      });
      await publish();
      tokens.push(await signAccessToken(app.config.jwtSecret, { userId: id, sessionId: newId() }));
    }
    await getDb().query(
      'UPDATE community SET owner_id = (SELECT user_id FROM members LIMIT 1) WHERE id = 1',
    );
  });
  afterAll(async () => {
    await app?.close();
  });

  it(
    'versions stay gap-free and every client ends with the same ordered list',
    { timeout: 240_000 },
    async () => {
      const owner = await (await SyncClient.connect(url, { token: tokens[0] as string })).synced();
      await fc.assert(
        fc.asyncProperty(
          fc.array(fc.array(opArb, { maxLength: 4 }), { minLength: WRITERS, maxLength: WRITERS }),
          async (plans) => {
            const channelId = newId();
            const scope = `channel:${channelId}`;
            expect(
              (await owner.mutate('channel.create', { id: channelId, kind: 'text', name: 'race' }))
                .type,
            ).toBe('ack');
            const observer = await (
              await SyncClient.connect(url, { token: tokens[1] as string })
            ).synced();
            await observer.waitFor((f) => f.type === 'reset' && f.scope === scope);

            const replicas: Replica[] = [];
            await Promise.all(
              plans.map(async (plan, w) => {
                const token = tokens[w] as string;
                const replica = new Replica();
                replicas.push(replica);
                let c = await (await SyncClient.connect(url, { token, replica })).synced();
                await c.waitFor((f) => f.type === 'reset' && f.scope === scope);
                const mine: string[] = [];
                for (const op of plan) {
                  if (op.kind === 'send') {
                    const id = newId();
                    const answer = await c.mutate('message.send', {
                      id,
                      channelId,
                      content: `w${w}`,
                    });
                    expect(answer.type).toBe('ack');
                    mine.push(id);
                  } else if (op.kind === 'drop') {
                    await c.close();
                    c = await (
                      await SyncClient.connect(url, { token, replica, clientId: c.clientId })
                    ).synced();
                  } else if (mine.length > 0) {
                    const id = mine[op.pick % mine.length] as string;
                    const answer =
                      op.kind === 'edit'
                        ? await c.mutate('message.edit', { id, content: `w${w} edited` })
                        : await c.mutate('message.delete', { id });
                    // Deleting twice is a clean not_found, never a crash or a duplicate change.
                    expect(
                      answer.type === 'ack' ||
                        (answer.type === 'reject' && answer.error.kind === 'not_found'),
                    ).toBe(true);
                    if (op.kind === 'delete') mine.splice(mine.indexOf(id), 1);
                  }
                }
                const version = await scopeVersion(scope);
                await until(
                  () => (replica.cursors.get(scope) ?? -1) >= version,
                  30_000,
                  'writer catch-up',
                );
                await c.close();
              }),
            );

            const version = await scopeVersion(scope);
            await until(
              () => observer.replica.cursors.get(scope) === version,
              30_000,
              'observer catch-up',
            );
            const feed = await getDb().query<{ version: number }>(
              'SELECT version FROM feed WHERE scope = $1 ORDER BY version',
              [scope],
            );
            expect(feed.rows.map((r) => Number(r.version))).toEqual(
              Array.from({ length: version }, (_, i) => i + 1),
            );
            const { rows } = await getDb().query<{ id: string; content: string; seq: number }>(
              'SELECT id, content, seq FROM messages WHERE channel_id = $1 AND deleted_at IS NULL ORDER BY seq',
              [channelId],
            );
            const truth = rows.map((r) => `${r.id}:${r.content}:${Number(r.seq)}`);
            const list = (r: Replica) =>
              r.channelMessages(channelId).map((m) => `${m.id}:${m.content}:${m.seq}`);
            expect(list(observer.replica)).toEqual(truth);
            expect(observer.replica.gaps).toEqual([]);
            // Writers that left early catch up from their own cursors and agree too.
            await Promise.all(
              replicas.map(async (replica, w) => {
                const c = await (
                  await SyncClient.connect(url, { token: tokens[w] as string, replica })
                ).synced();
                expect(replica.cursors.get(scope)).toBe(version);
                expect(list(replica)).toEqual(truth);
                expect(replica.gaps).toEqual([]);
                await c.close();
              }),
            );
            await observer.close();
          },
        ),
        { numRuns: 3 },
      );
      await owner.close();
    },
  );

  async function scopeVersion(scope: string): Promise<number> {
    const { rows } = await getDb().query<{ version: number }>(
      'SELECT version FROM scopes WHERE scope = $1',
      [scope],
    );
    return Number(rows[0]?.version ?? 0);
  }
});
