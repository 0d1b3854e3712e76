/**
 * P4 — acknowledged durable messages/s through the sync socket on real
 * Postgres (C clients, each sending its next message when the last is acked),
 * against single-row autocommit INSERTs by C concurrent connections in the
 * same run. Mutations go through the server's group commit: concurrent ones
 * share one transaction (one WAL flush), each in its own savepoint.
 */
import pg from 'pg';
import { newId } from '@echora/shared';
import type { Figure } from './lib/figure.ts';
import { ackingClient } from './lib/acks.ts';
import { register } from '@echora/testkit';
import { startEchora } from './lib/echora.ts';
import { createBenchDatabase } from './lib/pg.ts';
import { percentile } from './lib/stats.ts';

const CLIENTS = Number(process.env.P4_CLIENTS ?? 20);
const PER_CLIENT = Number(process.env.P4_PER_CLIENT ?? 100);
const CONTENT = 'x'.repeat(300);

/** Runs `op` PER_CLIENT times in each of `workers` loops; returns ops/s and latency p99. */
async function loops(
  workers: number,
  op: (w: number) => Promise<void>,
): Promise<{ rate: number; p99: number }> {
  const latencies: number[] = [];
  const started = performance.now();
  await Promise.all(
    Array.from({ length: workers }, async (_, w) => {
      for (let i = 0; i < PER_CLIENT; i++) {
        const t = performance.now();
        await op(w);
        latencies.push(performance.now() - t);
      }
    }),
  );
  const seconds = (performance.now() - started) / 1000;
  return { rate: (workers * PER_CLIENT) / seconds, p99: percentile(latencies, 99) };
}

async function baseline(url: string): Promise<{ rate: number; p99: number }> {
  // The server's pool holds 10 connections; so does this one.
  const pool = new pg.Pool({ connectionString: url, max: 10 });
  try {
    await pool.query(
      'CREATE TABLE bench_insert (id uuid PRIMARY KEY, channel_id uuid NOT NULL, content text NOT NULL, created_at timestamptz NOT NULL DEFAULT now())',
    );
    const channel = newId();
    return await loops(CLIENTS, async () => {
      await pool.query('INSERT INTO bench_insert (id, channel_id, content) VALUES ($1, $2, $3)', [
        newId(),
        channel,
        CONTENT,
      ]);
    });
  } finally {
    await pool.end();
  }
}

async function echora(url: string): Promise<{ rate: number; p99: number }> {
  const server = await startEchora({}, url);
  try {
    const user = await register(server.url, 'p4user');
    const clients = await Promise.all(
      Array.from({ length: CLIENTS }, () => ackingClient(server.syncUrl, user.accessToken)),
    );
    const general = clients[0]?.client.channels.get('text:general');
    if (!general) throw new Error('P4: no #general');
    const result = await loops(CLIENTS, async (w) => {
      await clients[w]?.send(general, CONTENT);
    });
    for (const c of clients) c.client.ws.terminate();
    return result;
  } finally {
    await server.stop();
  }
}

export async function p4(): Promise<Figure[]> {
  const db = await createBenchDatabase();
  try {
    const base = await baseline(db.url);
    const value = await echora(db.url);
    const what = `${CLIENTS} clients × ${PER_CLIENT}, 300 B, real Postgres`;
    return [
      {
        id: 'P4',
        name: `acknowledged durable messages/s, ${what} (group commit)`,
        value: value.rate,
        unit: 'msgs/s',
        baselineName: 'single-row autocommit INSERTs',
        baseline: base.rate,
        better: 'higher',
      },
      {
        id: 'P4',
        name: `ack latency p99, ${what}`,
        value: value.p99,
        unit: 'ms',
        baselineName: 'INSERT latency p99',
        baseline: base.p99,
        better: 'lower',
      },
    ];
  } finally {
    await db.drop();
  }
}
