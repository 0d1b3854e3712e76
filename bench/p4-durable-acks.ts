/**
 * P4 — acknowledged durable messages/s through the sync socket on real
 * Postgres: C clients, each keeping W sends on the wire as the app's outbox
 * does while it drains (the client keeps up to 64, `MAX_IN_FLIGHT`); W = 10
 * by Little's law: 10,000 msgs/s × 20 ms = 200 in flight = 20 clients × 10.
 * Also the closed loop (W = 1, the next send when the last is acked),
 * against single-row autocommit INSERTs by C concurrent connections in the
 * same run, and against the same rows written as multi-row
 * `INSERT … SELECT FROM unnest(…)` of 100-row batches (the best a batch
 * writer could do). Mutations go through the server's group commit:
 * concurrent ones share one transaction (one WAL flush).
 */
import pg from 'pg';
import { newId } from '@echora/shared';
import type { Figure } from './lib/figure.ts';
import { ackingClient } from './lib/acks.ts';
import { register } from '@echora/testkit';
import { cpuProfiled, startEchora, SyncClient } from './lib/echora.ts';
import { createBenchDatabase } from './lib/pg.ts';
import { percentile } from './lib/stats.ts';
import { cpuSeconds } from './lib/cpu.ts';

const CLIENTS = Number(process.env.P4_CLIENTS ?? 20);
const PER_CLIENT = Number(process.env.P4_PER_CLIENT ?? 100);
/** Sends each client keeps in flight in the windowed run. */
const WINDOW = Number(process.env.P4_WINDOW ?? 10);
/** Sends per client in the windowed run (long enough to leave the warm-up behind). */
const WINDOWED_PER_CLIENT = Number(process.env.P4_WINDOWED_PER_CLIENT ?? 500);
/**
 * Channels of the spread windowed run (client w sends in channel w mod C):
 * the server commits each channel in one of its lanes (4 on Postgres).
 */
const CHANNELS = Number(process.env.P4_CHANNELS ?? 8);
const CONTENT = 'x'.repeat(300);
/** Rows per statement of the batched baseline. */
const BATCH_ROWS = 100;
/** The batched baseline writes the rows this many times and keeps the median rate (one round is short). */
const BATCH_ROUNDS = 5;

interface Rate {
  rate: number;
  p50: number;
  p99: number;
}

/**
 * Runs `op` `perWorker` times for each of `workers`, keeping `window` of
 * each worker's ops in flight (a new one starts when one ends); returns
 * ops/s and latency p50/p99.
 */
async function loops(
  workers: number,
  op: (w: number) => Promise<void>,
  perWorker = PER_CLIENT,
  window = 1,
): Promise<Rate> {
  const latencies: number[] = [];
  const started = performance.now();
  await Promise.all(
    Array.from({ length: workers }, (_, w) => {
      let left = perWorker;
      const lane = async () => {
        while (left > 0) {
          left--;
          const t = performance.now();
          await op(w);
          latencies.push(performance.now() - t);
        }
      };
      return Promise.all(Array.from({ length: Math.min(window, perWorker) }, lane));
    }),
  );
  const seconds = (performance.now() - started) / 1000;
  return {
    rate: (workers * perWorker) / seconds,
    p50: percentile(latencies, 50),
    p99: percentile(latencies, 99),
  };
}

interface Baselines {
  single: Rate;
  /** Rows/s of 100-row `unnest` inserts, the same rows as the Echora run (CLIENTS × PER_CLIENT). */
  batched: number;
}

async function baseline(url: string): Promise<Baselines> {
  // The server's pool holds 10 connections; so does this one.
  const pool = new pg.Pool({ connectionString: url, max: 10 });
  try {
    await pool.query(
      'CREATE TABLE bench_insert (id uuid PRIMARY KEY, channel_id uuid NOT NULL, content text NOT NULL, created_at timestamptz NOT NULL DEFAULT now())',
    );
    const channel = newId();
    const single = await loops(CLIENTS, async () => {
      await pool.query('INSERT INTO bench_insert (id, channel_id, content) VALUES ($1, $2, $3)', [
        newId(),
        channel,
        CONTENT,
      ]);
    });
    const rates: number[] = [];
    for (let round = 0; round < BATCH_ROUNDS; round++) rates.push(await batched(pool, channel));
    return { single, batched: percentile(rates, 50) };
  } finally {
    await pool.end();
  }
}

/** CLIENTS × PER_CLIENT rows in autocommit statements of BATCH_ROWS rows, on every pooled connection at once. */
async function batched(pool: pg.Pool, channel: string): Promise<number> {
  const total = CLIENTS * PER_CLIENT;
  const batches = Array.from({ length: Math.ceil(total / BATCH_ROWS) }, (_, b) =>
    Array.from({ length: Math.min(BATCH_ROWS, total - b * BATCH_ROWS) }, () => newId()),
  );
  const started = performance.now();
  await Promise.all(
    batches.map((ids) =>
      pool.query(
        `INSERT INTO bench_insert (id, channel_id, content)
         SELECT id, $2, $3 FROM unnest($1::uuid[]) AS t(id)`,
        [ids, channel, CONTENT],
      ),
    ),
  );
  return total / ((performance.now() - started) / 1000);
}

/** Read from the server's `/metrics`, to print the mean batch of a run. */
const METRICS_TOKEN = 'p4-bench-metrics-token-of-32-characters';

/** Group-commit batches so far and the mutations in them (`echora_group_commit_batch_size`). */
async function batches(url: string): Promise<{ count: number; sum: number }> {
  const response = await fetch(`${url}/metrics`, {
    headers: { authorization: `Bearer ${METRICS_TOKEN}` },
  });
  const text = await response.text();
  const value = (name: string) =>
    Number(new RegExp(`^${name} (\\S+)$`, 'm').exec(text)?.[1] ?? Number.NaN);
  return {
    count: value('echora_group_commit_batch_size_count'),
    sum: value('echora_group_commit_batch_size_sum'),
  };
}

/** The Postgres backends serving the bench database (the server's connections among them). */
async function backendPids(url: string): Promise<number[]> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const { rows } = await client.query<{ pid: number }>(
      'SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()',
    );
    return rows.map((r) => r.pid);
  } finally {
    await client.end();
  }
}

/** A process's CPU seconds so far, 0 if it is gone. */
function cpuOf(pid: number): number {
  try {
    return cpuSeconds(pid);
  } catch {
    return 0;
  }
}

/** CPU seconds so far of the server, this process (the clients) and each Postgres backend of the bench database. */
async function cpu(serverPid: number | undefined, url: string) {
  const usage = process.cpuUsage();
  return {
    server: serverPid === undefined ? 0 : cpuOf(serverPid),
    client: (usage.user + usage.system) / 1e6,
    backends: new Map((await backendPids(url)).map((pid) => [pid, cpuOf(pid)])),
  };
}

/**
 * Runs `op` as {@link loops} does (WINDOWED_PER_CLIENT each, WINDOW in
 * flight) and prints `label`'s rate, latency, mean batch and the CPU used by
 * the server, the bench client and Postgres. Backends are counted at the end
 * (one that opened during the run, a lane's new connection, from 0).
 */
async function measured(
  label: string,
  server: { url: string; pid: number | undefined },
  url: string,
  op: (w: number) => Promise<void>,
): Promise<Rate> {
  const before = { batches: await batches(server.url), cpu: await cpu(server.pid, url) };
  const rate = await loops(CLIENTS, op, WINDOWED_PER_CLIENT, WINDOW);
  const after = { cpu: await cpu(server.pid, url), batches: await batches(server.url) };
  const batch =
    (after.batches.sum - before.batches.sum) / (after.batches.count - before.batches.count);
  let postgres = 0;
  for (const [pid, seconds] of after.cpu.backends)
    postgres += seconds - (before.cpu.backends.get(pid) ?? 0);
  process.stderr.write(
    `P4: ${label}: ${rate.rate.toFixed(0)}/s p50 ${rate.p50.toFixed(1)} p99 ${rate.p99.toFixed(1)} ms, ` +
      `mean batch ${batch.toFixed(1)} mutations; CPU in it: server ${(after.cpu.server - before.cpu.server).toFixed(2)} s, ` +
      `bench client ${(after.cpu.client - before.cpu.client).toFixed(2)} s, Postgres backends ${postgres.toFixed(2)} s ` +
      `over ${((CLIENTS * WINDOWED_PER_CLIENT) / rate.rate).toFixed(2)} s\n`,
  );
  return rate;
}

/** Creates `count` text channels (after #general) as the community's owner; returns their ids. */
async function moreChannels(syncUrl: string, token: string, count: number): Promise<string[]> {
  const admin = new SyncClient(syncUrl, { perMessageDeflate: false });
  const ids: string[] = [];
  try {
    await admin.auth({ token });
    await admin.synced();
    for (let c = 0; c < count; c++) {
      const id = newId();
      const answer = await admin.mutate('channel.create', { id, kind: 'text', name: `p4-${c}` });
      if (answer.type !== 'ack')
        throw new Error(`P4: channel.create refused: ${answer.error.message}`);
      ids.push(id);
    }
  } finally {
    await admin.close();
  }
  return ids;
}

/**
 * The closed loop (one send in flight per client), the windowed run in
 * #general, and the windowed run spread over CHANNELS channels, on one server.
 */
async function echora(url: string): Promise<{ closed: Rate; windowed: Rate; spread: Rate }> {
  // P4_CPU_PROF=DIR: the server writes a .cpuprofile there.
  const profile = process.env.P4_CPU_PROF;
  const server = await startEchora({ METRICS_TOKEN }, url, profile ? cpuProfiled(profile) : {});
  try {
    const user = await register(server.url, 'p4user');
    // Before the clients connect, so each client's catch-up includes them.
    const channels = await moreChannels(server.syncUrl, user.accessToken, CHANNELS);
    const clients = await Promise.all(
      Array.from({ length: CLIENTS }, () => ackingClient(server.syncUrl, user.accessToken)),
    );
    const general = clients[0]?.client.channels.get('text:general');
    if (!general) throw new Error('P4: no #general');
    const send = async (w: number, channel = general) => {
      await clients[w]?.send(channel, CONTENT);
    };
    const closed = await loops(CLIENTS, send);
    process.stderr.write(
      `P4: closed ${closed.rate.toFixed(0)}/s p50 ${closed.p50.toFixed(1)} p99 ${closed.p99.toFixed(1)} ms\n`,
    );
    const at = { url: server.url, pid: server.child.pid };
    const windowed = await measured(`window ${WINDOW}`, at, url, send);
    const spread = await measured(
      `window ${WINDOW} over ${channels.length} channels`,
      at,
      url,
      (w) => send(w, channels[w % channels.length]),
    );
    for (const c of clients) c.client.ws.terminate();
    return { closed, windowed, spread };
  } finally {
    await server.stop();
  }
}

export async function p4(): Promise<Figure[]> {
  const db = await createBenchDatabase();
  try {
    const base = await baseline(db.url);
    const { closed, windowed, spread } = await echora(db.url);
    const what = `${CLIENTS} clients × ${PER_CLIENT}, 300 B, real Postgres`;
    const win = `${CLIENTS} clients × ${WINDOWED_PER_CLIENT}, ${WINDOW} in flight each (outbox drain), 300 B, real Postgres`;
    return [
      {
        id: 'P4',
        name: `acknowledged durable messages/s, ${win}`,
        value: windowed.rate,
        unit: 'msgs/s',
        baselineName: `${BATCH_ROWS}-row INSERT … SELECT FROM unnest, ${CLIENTS * PER_CLIENT} rows`,
        baseline: base.batched,
        better: 'higher',
      },
      {
        id: 'P4',
        name: `ack latency p99, ${win}`,
        value: windowed.p99,
        unit: 'ms',
        baselineName: 'INSERT latency p99',
        baseline: base.single.p99,
        better: 'lower',
      },
      {
        id: 'P4',
        name: `acknowledged durable messages/s, ${win}, over ${CHANNELS} channels`,
        value: spread.rate,
        unit: 'msgs/s',
        baselineName: `${BATCH_ROWS}-row INSERT … SELECT FROM unnest, ${CLIENTS * PER_CLIENT} rows`,
        baseline: base.batched,
        better: 'higher',
      },
      {
        id: 'P4',
        name: `ack latency p99, ${win}, over ${CHANNELS} channels`,
        value: spread.p99,
        unit: 'ms',
        baselineName: 'INSERT latency p99',
        baseline: base.single.p99,
        better: 'lower',
      },
      {
        id: 'P4',
        name: `acknowledged durable messages/s, ${what}, closed loop (group commit)`,
        value: closed.rate,
        unit: 'msgs/s',
        baselineName: 'single-row autocommit INSERTs',
        baseline: base.single.rate,
        better: 'higher',
      },
      {
        id: 'P4',
        name: `acknowledged durable messages/s, ${what}, closed loop, against batched inserts`,
        value: closed.rate,
        unit: 'msgs/s',
        baselineName: `${BATCH_ROWS}-row INSERT … SELECT FROM unnest, same rows`,
        baseline: base.batched,
        better: 'higher',
      },
      {
        id: 'P4',
        name: `ack latency p99, ${what}, closed loop`,
        value: closed.p99,
        unit: 'ms',
        baselineName: 'INSERT latency p99',
        baseline: base.single.p99,
        better: 'lower',
      },
    ];
  } finally {
    await db.drop();
  }
}
