import { Worker } from 'node:worker_threads';

export interface ReceiverSetup {
  url: string;
  /** One token per socket (Echora: `auth`, then wait for `synced`), or a count of bare sockets. */
  sockets: string[] | number;
  /** Messages numbered 0 … total − 1. */
  total: number;
  /** Sockets this thread opens at once. */
  concurrency: number;
}

export type ReceiverReport =
  { type: 'ready' } | { type: 'done'; i: number; at: number } | { type: 'error'; message: string };

/** What precedes a message's number in every frame that carries it. */
export const MARKER = Buffer.from('"content":"p2 ');
/** The machine's monotonic clock in ms: the same in every thread and process. */
export const nowMs = (): number => Number(process.hrtime.bigint()) / 1e6;

/**
 * A worker thread does not inherit tsx's hooks (nor takes `--import tsx` in
 * its `execArgv` on Node 20): it registers them, then loads the TypeScript.
 */
const BOOT = `import('tsx/esm/api').then(({ register }) => {
  register();
  return import(${JSON.stringify(new URL('./p2-receiver.ts', import.meta.url).href)});
});`;

/**
 * P2's receivers, spread over worker threads so that the thread that sends
 * and measures never reads their frames. `listen` hears when the last socket had
 * message i (monotonic clock, ms), once every thread has reported it.
 */
export class Receivers {
  /** Per message: threads that reported it, and the latest of their times. */
  private readonly reported: Uint16Array;
  private readonly latest: Float64Array;
  private onDone: ((i: number, at: number) => void) | undefined;

  private constructor(
    private readonly workers: Worker[],
    total: number,
  ) {
    this.reported = new Uint16Array(total);
    this.latest = new Float64Array(total);
  }

  /**
   * Starts `threads` workers holding `sockets` between them (tokens: Echora,
   * each synced; a number: bare sockets) and resolves once all are open.
   */
  static async start(
    url: string,
    sockets: string[] | number,
    total: number,
    threads: number,
  ): Promise<Receivers> {
    const count = typeof sockets === 'number' ? sockets : sockets.length;
    const workers: Worker[] = [];
    const ready: Promise<void>[] = [];
    // Reports come only once every worker is in `workers`.
    const receivers = new Receivers(workers, total);
    for (let w = 0; w < threads; w++) {
      const from = Math.floor((w * count) / threads);
      const to = Math.floor(((w + 1) * count) / threads);
      const setup: ReceiverSetup = {
        url,
        sockets: typeof sockets === 'number' ? to - from : sockets.slice(from, to),
        total,
        concurrency: Math.max(1, Math.ceil(50 / threads)),
      };
      const worker = new Worker(BOOT, { eval: true, workerData: setup });
      workers.push(worker);
      ready.push(
        new Promise((resolve, reject) => {
          worker.on('error', reject);
          worker.on('message', (r: ReceiverReport) => {
            if (r.type === 'ready') resolve();
            else if (r.type === 'error') reject(new Error(`P2 receiver: ${r.message}`));
            else receivers.report(r.i, r.at);
          });
        }),
      );
    }
    try {
      await Promise.all(ready);
    } catch (err) {
      await receivers.stop();
      throw err;
    }
    return receivers;
  }

  /** Calls `done` with each message's last receipt time (threads report as they finish it). */
  listen(done: (i: number, at: number) => void): void {
    this.onDone = done;
  }

  async stop(): Promise<void> {
    for (const w of this.workers) w.postMessage('stop');
    await Promise.all(this.workers.map((w) => w.terminate()));
  }

  private report(i: number, at: number): void {
    const n = (this.reported[i] ?? 0) + 1;
    this.reported[i] = n;
    if (at > (this.latest[i] ?? 0)) this.latest[i] = at;
    if (n === this.workers.length) this.onDone?.(i, this.latest[i] ?? at);
  }
}
