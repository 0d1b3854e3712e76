import { afterAll, beforeAll, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import { newId } from '@echora/shared';
import { createTestApp, registerUser } from '../../test/helpers/app.ts';
import { describeEachDb } from '../../test/helpers/db.ts';
import { SyncClient, until } from '../../test/helpers/sync-client.ts';
import { startMetricsServer } from './routes.ts';

const TOKEN = 'm'.repeat(40);

/** The value of one series in Prometheus text (labels exactly as printed), 0 when absent. */
function series(text: string, name: string, labels = ''): number {
  const line = text.split('\n').find((l) => l.startsWith(`${name}${labels} `));
  return line ? Number(line.slice(line.lastIndexOf(' ') + 1)) : 0;
}

describeEachDb('metrics', (getDb) => {
  let app: FastifyInstance;
  let url = '';

  beforeAll(async () => {
    app = await createTestApp(getDb(), { config: { metricsToken: TOKEN } });
    url = await app.listen({ port: 0, host: '127.0.0.1' });
  });
  afterAll(() => app?.close());

  const scrape = async () => {
    const response = await fetch(`${url}/metrics`, {
      headers: { authorization: `Bearer ${TOKEN}` },
    });
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^text\/plain/);
    return response.text();
  };

  it('answer only with the bearer token on the main port', async () => {
    for (const authorization of [undefined, 'Bearer wrong', `Basic ${TOKEN}`, `Bearer ${TOKEN}x`]) {
      const response = await fetch(`${url}/metrics`, {
        ...(authorization ? { headers: { authorization } } : {}),
      });
      expect(response.status, String(authorization)).toBe(401);
      expect(((await response.json()) as { error: { kind: string } }).error.kind).toBe(
        'unauthorized',
      );
    }
    expect(await scrape()).toContain('echora_process_cpu_seconds_total');
  });

  it('move when traffic flows: sockets, mutations by outcome, batches, fan-out, catch-up', async () => {
    const before = await scrape();
    const { accessToken } = await registerUser(app, 'measured');
    const client = await (await SyncClient.connect(url, { token: accessToken })).synced();
    const channelId =
      [...client.replica.channels.values()].find((c) => c.kind === 'text')?.id ?? '';
    const id = newId();
    expect(
      await client.mutate('message.send', { id, channelId, content: 'counted' }),
    ).toMatchObject({ type: 'ack' });
    expect(await client.mutate('message.edit', { id: newId(), content: 'x' })).toMatchObject({
      type: 'reject',
      error: { kind: 'not_found' },
    });
    await until(() => client.replica.messages.has(id));
    const during = await scrape();
    expect(series(during, 'echora_sockets_open')).toBe(series(before, 'echora_sockets_open') + 1);
    const sent = '{name="message.send",outcome="ack"}';
    expect(series(during, 'echora_mutations_total', sent)).toBe(
      series(before, 'echora_mutations_total', sent) + 1,
    );
    const missing = '{name="message.edit",outcome="not_found"}';
    expect(series(during, 'echora_mutations_total', missing)).toBe(
      series(before, 'echora_mutations_total', missing) + 1,
    );
    for (const name of [
      'echora_group_commit_batch_size_count',
      'echora_group_commit_seconds_count',
      'echora_fanout_deliveries_total',
    ]) {
      expect(series(during, name), name).toBeGreaterThan(series(before, name));
    }
    const resets = '_count{kind="reset"}';
    expect(series(during, `echora_catch_up_seconds${resets}`)).toBeGreaterThan(
      series(before, `echora_catch_up_seconds${resets}`),
    );
    await client.close();
    await expect
      .poll(async () => series(await scrape(), 'echora_sockets_open'))
      .toBe(series(before, 'echora_sockets_open'));
  });

  it('are not served on the main port without a token', async () => {
    const bare = await createTestApp(getDb());
    try {
      expect((await bare.inject({ url: '/metrics' })).statusCode).toBe(404);
    } finally {
      await bare.close();
    }
  });
});

it('are served without a token on METRICS_ADDR, and nothing else is', async () => {
  const { server, url } = await startMetricsServer({ host: '127.0.0.1', port: 0 });
  try {
    const response = await fetch(`${url}/metrics`);
    expect(response.status).toBe(200);
    expect(await response.text()).toContain('echora_sockets_open');
    expect((await fetch(`${url}/`)).status).toBe(404);
    expect((await fetch(`${url}/metrics`, { method: 'POST' })).status).toBe(404);
  } finally {
    server.close();
  }
});
