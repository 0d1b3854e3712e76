/**
 * deploy/grafana-dashboard.json graphs only series the server exports: after
 * real traffic (a socket, messages, an upload), every metric a panel queries
 * is in a /metrics scrape.
 */
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { FastifyInstance } from 'fastify';
import { newId } from '@echora/shared';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createTestApp, registerUser } from '../helpers/app.ts';
import { describeEachDb } from '../helpers/db.ts';
import { SyncClient } from '../helpers/sync-client.ts';

const TOKEN = 'd'.repeat(40);

interface Dashboard {
  uid: string;
  panels: {
    id: number;
    title: string;
    type: string;
    gridPos: { h: number; w: number; x: number; y: number };
    targets: { refId: string; expr: string }[];
  }[];
  templating: { list: { name: string; definition?: string }[] };
}

const dashboard = JSON.parse(
  readFileSync(
    fileURLToPath(new URL('../../../deploy/grafana-dashboard.json', import.meta.url)),
    'utf8',
  ),
) as Dashboard;

/** The echora_* metric names a PromQL expression reads. */
const metricsIn = (expr: string) => expr.match(/\bechora_[a-z0-9_]+/g)?.map(String) ?? [];

it('is a dashboard Grafana can import: unique panel ids, queries on every panel', () => {
  const ids = dashboard.panels.map((panel) => panel.id);
  expect(new Set(ids).size).toBe(ids.length);
  for (const panel of dashboard.panels) {
    expect(panel.type, panel.title).toBe('timeseries');
    expect(panel.targets.length, panel.title).toBeGreaterThan(0);
    for (const target of panel.targets) expect(metricsIn(target.expr).length).toBeGreaterThan(0);
    expect(panel.gridPos.x + panel.gridPos.w).toBeLessThanOrEqual(24);
  }
});

describeEachDb('the Grafana dashboard', (getDb, kind) => {
  let app: FastifyInstance;
  let scrape = '';

  beforeAll(async () => {
    app = await createTestApp(getDb(), { config: { metricsToken: TOKEN } });
    const url = await app.listen({ port: 0, host: '127.0.0.1' });
    const { accessToken } = await registerUser(app, `graphed-${kind}`);
    const client = await (await SyncClient.connect(url, { token: accessToken })).synced();
    const channelId = [...client.replica.channels.values()].find((c) => c.kind === 'text')?.id;
    const form = new FormData();
    form.append('file', new Blob([new Uint8Array(randomBytes(2048))]), 'graph.bin');
    const upload = await fetch(`${url}/api/uploads`, {
      method: 'POST',
      body: form,
      headers: { authorization: `Bearer ${accessToken}` },
    });
    expect(upload.status).toBe(201);
    await client.mutate('message.send', { id: newId(), channelId: channelId ?? '', content: 'x' });
    const response = await fetch(`${url}/metrics`, {
      headers: { authorization: `Bearer ${TOKEN}` },
    });
    scrape = await response.text();
    await client.close();
  });
  afterAll(() => app?.close());

  it('queries only series a real scrape has', () => {
    const exprs = [
      ...dashboard.panels.flatMap((panel) => panel.targets.map((target) => target.expr)),
      ...dashboard.templating.list.map((variable) => variable.definition ?? ''),
    ];
    const names = new Set(exprs.flatMap(metricsIn));
    expect(names.size).toBeGreaterThan(8);
    const sampled = (name: string) =>
      scrape.split('\n').some((line) => line.startsWith(`${name}{`) || line.startsWith(`${name} `));
    for (const name of names) {
      // PGlite has no connection pool: the series is declared but has no samples.
      if (kind === 'pglite' && name === 'echora_db_pool_connections') {
        expect(scrape).toContain(`# TYPE ${name} gauge`);
        continue;
      }
      expect(sampled(name), name).toBe(true);
    }
  });
});
