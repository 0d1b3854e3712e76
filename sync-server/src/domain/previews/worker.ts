import type { LinkPreview } from '@echora/shared';
import type { Db } from '../../db/types.ts';
import { Poller } from '../jobs/poller.ts';
import type { SafeFetch } from '../../net/safe-fetch.ts';
import type { FileStorage } from '../../storage/index.ts';
import type { Writer } from '../../write/writer.ts';
import { linkPreviewsOn } from '../community/queries.ts';
import { pruneCache } from './cache.ts';
import { defaultFetchCaps, type FetchCaps } from './fetch-page.ts';
import type { OembedEndpoints } from './oembed.ts';
import { unfurlUrl, type UnfurlDeps } from './unfurl.ts';
import { writePreviews } from './write.ts';

/** How unfurling is paced; tests use small numbers and drive the worker. */
export interface PreviewOptions {
  /** How often each node looks for queued messages; 0: only when `runOnce` is called. */
  pollMs: number;
  /** How long a claimed job stays with the node that claimed it. */
  leaseMs: number;
  /** Messages claimed per round (their pages are fetched side by side). */
  batch: number;
  /** Claims of one job before it is dropped (a node died on it, or the database failed). */
  maxAttempts: number;
  /** How long a card is cached. */
  ttlMs: number;
  /** How long a failed page is cached. */
  failureTtlMs: number;
  caps: FetchCaps;
  /** Known providers' oEmbed endpoints replaced (the configuration's `OEMBED_ENDPOINTS`). */
  oembedEndpoints: OembedEndpoints;
}

export const defaultPreviewOptions: PreviewOptions = {
  pollMs: 1000,
  leaseMs: 60_000,
  batch: 4,
  maxAttempts: 3,
  ttlMs: 24 * 3600_000,
  failureTtlMs: 10 * 60_000,
  caps: defaultFetchCaps,
  oembedEndpoints: {},
};

interface Job extends Record<string, unknown> {
  message_id: string;
  urls: string[];
  author_id: string;
}

/**
 * Unfurls the links of queued messages. A durable queue in the database
 * rather than an in-process one: the job is written with the message, so a
 * restart or a crash loses none, and every node shares the work (rows are
 * claimed with `FOR UPDATE SKIP LOCKED` and a lease, as webhook deliveries
 * are). Each job's pages are fetched one after another through the SSRF
 * guard; the cards are then written and published in one transaction.
 */
export class PreviewWorker {
  #storage: FileStorage | undefined;
  readonly #poller: Poller;

  constructor(
    private readonly db: Db,
    private readonly writer: Writer,
    private readonly outbound: SafeFetch,
    private readonly log: (obj: object, msg: string) => void,
    readonly options: PreviewOptions = defaultPreviewOptions,
  ) {
    this.#poller = new Poller(
      (now) => this.#round(now),
      () => this.prune(),
      options.pollMs,
      (err) => log({ err }, 'link previews failed'),
    );
  }

  /** Where preview images are stored (the files pipeline's storage, known once files register). */
  useStorage(storage: FileStorage): void {
    this.#storage = storage;
  }

  start(): void {
    this.#poller.start();
  }

  stop(): Promise<void> {
    return this.#poller.stop();
  }

  /** Claims queued messages and unfurls them; resolves with how many. Rounds never overlap. */
  runOnce(now = new Date()): Promise<number> {
    return this.#poller.runOnce(now);
  }

  /** Drops expired cache entries and jobs claimed `maxAttempts` times whose lease ran out. */
  async prune(now = new Date()): Promise<number> {
    const jobs = await this.db.query(
      'DELETE FROM link_preview_jobs WHERE attempts >= $1 AND locked_until <= $2',
      [this.options.maxAttempts, now],
    );
    return (jobs.rowCount ?? 0) + (await pruneCache(this.db, now));
  }

  async #round(now: Date): Promise<number> {
    const { rows } = await this.db.query<Job>(
      `WITH due AS (
         SELECT message_id FROM link_preview_jobs
         WHERE attempts < $3 AND (locked_until IS NULL OR locked_until <= $1)
         ORDER BY created_at
         LIMIT $2
         FOR UPDATE SKIP LOCKED
       )
       UPDATE link_preview_jobs j
       SET locked_until = $1::timestamptz + make_interval(secs => $4::double precision / 1000),
           attempts = j.attempts + 1
       FROM due, messages m
       WHERE j.message_id = due.message_id AND m.id = j.message_id
       RETURNING j.message_id, j.urls, m.author_id`,
      [now, this.options.batch, this.options.maxAttempts, this.options.leaseMs],
    );
    await Promise.all(rows.map((job) => this.#unfurl(job, now)));
    return rows.length;
  }

  async #unfurl(job: Job, now: Date): Promise<void> {
    const deps: UnfurlDeps = {
      db: this.db,
      outbound: this.outbound,
      storage: this.#storage,
      caps: this.options.caps,
      ttlMs: this.options.ttlMs,
      failureTtlMs: this.options.failureTtlMs,
      oembedEndpoints: this.options.oembedEndpoints,
    };
    try {
      const previews: LinkPreview[] = [];
      // Switched off since the message was queued: end the job without a fetch.
      if (!(await linkPreviewsOn(this.db))) {
        await writePreviews(this.writer, job.message_id, []);
        return;
      }
      for (const url of job.urls) {
        const preview = await unfurlUrl(deps, url, job.author_id, now);
        if (preview) previews.push(preview);
      }
      await writePreviews(this.writer, job.message_id, previews);
    } catch (err) {
      // The job stays claimed until its lease ends, then is tried again (up to maxAttempts).
      this.log({ err, message: job.message_id }, 'link preview failed');
    }
  }
}
