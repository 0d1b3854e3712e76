import { afterAll, beforeAll, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import { dmId, newId } from '@echora/shared';
import type { ReportList } from '@echora/shared/protocol/rest/reports';
import { describeEachDb } from '../../../test/helpers/db.ts';
import { createTestApp, registerUser } from '../../../test/helpers/app.ts';
import { SyncClient } from '../../../test/helpers/sync-client.ts';

interface Person {
  id: string;
  token: string;
}

/**
 * Issue 19: the moderators' report queue. A report carries a copy of that one
 * message (text and attachment names) and only "direct message" of where it
 * came from; moderators page through open reports and resolve or dismiss
 * them; anyone else is refused with the database unchanged.
 */
describeEachDb('the moderators’ report queue', (getDb) => {
  let app: FastifyInstance;
  let url: string;
  const people = {} as Record<'owner' | 'alice' | 'bob' | 'carol', Person>;
  const sockets: SyncClient[] = [];

  beforeAll(async () => {
    app = await createTestApp(getDb(), {
      sync: { sendRate: { capacity: 10_000, windowMs: 1000 } },
    });
    url = await app.listen({ port: 0, host: '127.0.0.1' });
    for (const name of ['owner', 'alice', 'bob', 'carol'] as const) {
      const s = await registerUser(app, name);
      people[name] = { id: s.user.id, token: s.accessToken };
    }
  });
  afterAll(async () => {
    for (const s of sockets) await s.close();
    await app?.close();
  });

  async function connect(p: Person): Promise<SyncClient> {
    const client = await (await SyncClient.connect(url, { token: p.token })).synced();
    sockets.push(client);
    return client;
  }

  async function call(p: Person, method: 'GET' | 'POST', path: string, payload?: object) {
    return app.inject({
      method,
      url: path,
      headers: { authorization: `Bearer ${p.token}` },
      ...(payload ? { payload } : {}),
    });
  }

  const list = async (p: Person, query = '') =>
    (await call(p, 'GET', `/api/reports${query}`)).json<ReportList>();

  const reportsAndAudit = async () =>
    JSON.stringify([
      (await getDb().query('SELECT * FROM message_reports ORDER BY id')).rows,
      (await getDb().query('SELECT * FROM audit_log ORDER BY id')).rows,
    ]);

  let reportId = '';

  it('a DM message reported by Bob reaches the owner as a copy of that message only', async () => {
    const alice = await connect(people.alice);
    const bob = await connect(people.bob);
    expect(await alice.mutate('dm.open', { userId: people.bob.id })).toMatchObject({ type: 'ack' });
    const channelId = dmId(people.alice.id, people.bob.id);
    const before = newId();
    const reported = newId();
    expect(
      await alice.mutate('message.send', { id: before, channelId, content: 'private plans' }),
    ).toMatchObject({ type: 'ack' });
    expect(
      await alice.mutate('message.send', { id: reported, channelId, content: 'buy **now**' }),
    ).toMatchObject({ type: 'ack' });
    // An attachment's name is part of the copy (written here as message.send would).
    await getDb().query(`UPDATE messages SET attachments = $2::jsonb WHERE id = $1`, [
      reported,
      JSON.stringify([{ id: newId(), name: 'offer.pdf', size: 3, contentType: 'application/pdf' }]),
    ]);
    expect(
      await bob.mutate('message.report', { messageId: reported, reason: 'spam' }),
    ).toMatchObject({ type: 'ack' });

    const page = await list(people.owner);
    expect(page.nextCursor).toBeNull();
    expect(page.reports).toEqual([
      {
        id: expect.any(String) as string,
        reporterId: people.bob.id,
        reporterName: 'bob',
        messageId: reported,
        authorId: people.alice.id,
        authorName: 'alice',
        content: 'buy **now**',
        attachments: ['offer.pdf'],
        reason: 'spam',
        createdAt: expect.any(String) as string,
        where: 'dm',
        channelId: null,
        outcome: null,
        resolvedAt: null,
        resolvedBy: null,
      },
    ]);
    const text = JSON.stringify(page);
    expect(text).not.toContain('private plans');
    expect(text).not.toContain(channelId);
    reportId = page.reports[0]?.id ?? '';
  });

  it('a member without manage messages may neither list nor resolve; nothing changes', async () => {
    const before = await reportsAndAudit();
    const listed = await call(people.carol, 'GET', '/api/reports');
    expect(listed.statusCode).toBe(403);
    for (const p of [people.carol, people.bob, people.alice]) {
      const res = await call(p, 'POST', `/api/reports/${reportId}/resolve`, {
        outcome: 'dismissed',
      });
      expect(res.statusCode).toBe(403);
      expect(res.json<{ error: { kind: string } }>().error.kind).toBe('forbidden');
    }
    expect(await reportsAndAudit()).toBe(before);
  });

  it('bad requests are refused as such, never a 500, and change nothing', async () => {
    const before = await reportsAndAudit();
    const cases: [string, object | undefined, number][] = [
      [`/api/reports/${newId()}/resolve`, { outcome: 'resolved' }, 404],
      [`/api/reports/not-a-uuid/resolve`, { outcome: 'resolved' }, 400],
      [`/api/reports/${reportId}/resolve`, { outcome: 'deleted' }, 400],
      [`/api/reports/${reportId}/resolve`, { outcome: 'resolved', extra: 1 }, 400],
      [`/api/reports/${reportId}/resolve`, undefined, 400],
    ];
    for (const [path, body, status] of cases) {
      expect((await call(people.owner, 'POST', path, body)).statusCode, path).toBe(status);
    }
    expect((await call(people.owner, 'GET', '/api/reports?limit=0')).statusCode).toBe(400);
    expect((await call(people.owner, 'GET', '/api/reports?status=all')).statusCode).toBe(400);
    expect(await reportsAndAudit()).toBe(before);
  });

  it('the owner resolves it: it leaves the open list for the closed one, once', async () => {
    const res = await call(people.owner, 'POST', `/api/reports/${reportId}/resolve`, {
      outcome: 'resolved',
    });
    expect(res.statusCode).toBe(204);
    expect((await list(people.owner)).reports).toEqual([]);
    const closed = await list(people.owner, '?status=closed');
    expect(closed.reports).toMatchObject([
      { id: reportId, outcome: 'resolved', resolvedBy: people.owner.id },
    ]);
    const audit = await getDb().query<{ action: string; actor_id: string; target_id: string }>(
      "SELECT action, actor_id, target_id FROM audit_log WHERE action LIKE 'report.%'",
    );
    expect(audit.rows).toEqual([
      { action: 'report.resolve', actor_id: people.owner.id, target_id: people.alice.id },
    ]);
    // Closing it again (a second moderator a moment later) keeps the first outcome.
    const before = await reportsAndAudit();
    const again = await call(people.owner, 'POST', `/api/reports/${reportId}/resolve`, {
      outcome: 'dismissed',
    });
    expect(again.statusCode).toBe(204);
    expect(await reportsAndAudit()).toBe(before);
  });

  it('pages through many open reports newest first, each exactly once', async () => {
    const carol = await connect(people.carol);
    const general = [...carol.replica.channels.values()].find((c) => c.name === 'general');
    const ids: string[] = [];
    for (let i = 0; i < 5; i++) {
      const id = newId();
      ids.push(id);
      await carol.mutate('message.send', { id, channelId: general?.id ?? '', content: `m${i}` });
      expect(await carol.mutate('message.report', { messageId: id })).toMatchObject({
        type: 'ack',
      });
    }
    const seen: { messageId: string; key: string }[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const page: ReportList = await list(
        people.owner,
        `?limit=2${cursor ? `&before=${cursor}` : ''}`,
      );
      seen.push(...page.reports.map((r) => ({ messageId: r.messageId, key: r.createdAt + r.id })));
      for (const r of page.reports) {
        expect(r).toMatchObject({ where: 'channel', channelId: general?.id, reason: '' });
      }
      cursor = page.nextCursor;
      pages += 1;
    } while (cursor);
    expect(pages).toBe(3);
    expect(seen.map((r) => r.messageId).sort()).toEqual([...ids].sort());
    // Newest first: reports made in the same millisecond follow their ids.
    const keys = seen.map((r) => r.key);
    expect(keys).toEqual([...keys].sort().reverse());
  });

  it('resolving is rate-limited per moderator', async () => {
    let status = 0;
    for (let i = 0; i < 121 && status !== 429; i++) {
      status = (
        await call(people.owner, 'POST', `/api/reports/${newId()}/resolve`, {
          outcome: 'dismissed',
        })
      ).statusCode;
    }
    expect(status).toBe(429);
  });
});
