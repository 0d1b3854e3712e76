/**
 * What an upload may cost: pixels (decoding time), concurrent image work
 * (the thread pool logins share), and each user's stored bytes (the quota);
 * and the sweep that gives the disk back, however large its backlog.
 */
import { randomBytes } from 'node:crypto';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { crc32, deflateSync } from 'node:zlib';
import type { FastifyInstance } from 'fastify';
import sharp from 'sharp';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createTestApp, registerUser } from '../../../test/helpers/app.ts';
import { describeEachDb } from '../../../test/helpers/db.ts';
import { createLocalStorage } from '../../storage/local.ts';
import type { FileStorage } from '../../storage/types.ts';
import { SWEEP_BATCH, sweepFiles } from './cleanup.ts';
import { imageQueueDepth, IMAGE_CONCURRENCY } from './image-queue.ts';

const QUOTA = 10_000;

function chunk(type: string, data: Buffer): Buffer {
  const length = Buffer.alloc(4);
  length.writeUInt32BE(data.length);
  const body = Buffer.concat([Buffer.from(type, 'ascii'), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(body));
  return Buffer.concat([length, body, crc]);
}

/** A valid PNG header claiming `side`² RGB pixels, with one row of data: a decompression bomb's shape. */
function bombPng(side: number): Buffer {
  const header = Buffer.alloc(13);
  header.writeUInt32BE(side, 0);
  header.writeUInt32BE(side, 4);
  header.set([8, 2, 0, 0, 0], 8); // 8-bit RGB, deflate, no filter, no interlace
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', header),
    chunk('IDAT', deflateSync(Buffer.alloc(1 + side * 3))),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}

describeEachDb('files: limits', (getDb) => {
  let app: FastifyInstance;
  let url: string;
  let root: string;
  let storage: FileStorage;
  let token: string;
  let userId: string;

  beforeAll(async () => {
    root = await mkdtemp(join(tmpdir(), 'echora-limits-'));
    storage = createLocalStorage(root);
    app = await createTestApp(getDb(), { storage, config: { uploadQuotaBytes: QUOTA } });
    url = await app.listen({ port: 0, host: '127.0.0.1' });
    const user = await registerUser(app, 'uploader');
    token = user.accessToken;
    userId = user.user.id;
  });
  afterAll(async () => {
    await app.close();
    await rm(root, { recursive: true, force: true });
  });

  async function upload(
    bytes: Buffer,
    name: string,
    as = token,
  ): Promise<{
    status: number;
    body: { file?: { id: string }; error?: { kind: string; message: string } };
  }> {
    const form = new FormData();
    form.append('file', new Blob([new Uint8Array(bytes)]), name);
    const response = await fetch(`${url}/api/uploads`, {
      method: 'POST',
      body: form,
      headers: { authorization: `Bearer ${as}` },
    });
    return { status: response.status, body: (await response.json()) as never };
  }

  it('refuses an image of more pixels than the limit from its header, before decoding it', async () => {
    const bomb = bombPng(16_383);
    expect(bomb.length).toBeLessThan(QUOTA);
    const { status, body } = await upload(bomb, 'bomb.png');
    expect(status).toBe(413);
    expect(body.error).toEqual({
      kind: 'too_large',
      message: 'The image is 16383×16383 pixels; images may have at most 50 megapixels.',
    });
    const { rows } = await getDb().query('SELECT 1 FROM files WHERE owner_id = $1', [userId]);
    expect(rows).toEqual([]);
  });

  it('runs image work one job at a time, however many uploads arrive together', async () => {
    const image = await sharp({
      create: { width: 400, height: 300, channels: 3, background: '#123456' },
    })
      .jpeg({ quality: 30 })
      .toBuffer();
    // Four of them fit in the quota together.
    expect(image.length * 4).toBeLessThan(QUOTA);
    const other = await registerUser(app, 'photographer');
    let most = 0;
    let sampling = true;
    const sample = async () => {
      while (sampling) {
        most = Math.max(most, imageQueueDepth().active);
        await new Promise((resolve) => setImmediate(resolve));
      }
    };
    const sampler = sample();
    const results = await Promise.all(
      Array.from({ length: 4 }, (_, i) => upload(image, `photo${i}.jpg`, other.accessToken)),
    );
    sampling = false;
    await sampler;
    expect(results.map((r) => r.status)).toEqual([201, 201, 201, 201]);
    expect(most).toBeGreaterThan(0);
    expect(most).toBeLessThanOrEqual(IMAGE_CONCURRENCY);
  });

  it('keeps each user within UPLOAD_QUOTA_MB, counted from stored files, even for uploads at once', async () => {
    const file = () => randomBytes(4_000);
    // Three at once: the lock on the owner lets exactly two fit in 10,000 bytes.
    const first = await Promise.all([
      upload(file(), 'a.bin'),
      upload(file(), 'b.bin'),
      upload(file(), 'c.bin'),
    ]);
    expect(first.map((r) => r.status).sort()).toEqual([201, 201, 413]);
    const refused = first.find((r) => r.status === 413);
    expect(refused?.body.error?.kind).toBe('quota_exceeded');
    expect(refused?.body.error?.message).toMatch(/quota/);
    // Already full: refused before the body is even read.
    const full = await upload(randomBytes(2_001), 'd.bin');
    expect(full.status).toBe(413);
    expect(full.body.error?.kind).toBe('quota_exceeded');
    // Refused uploads left no bytes behind: two files on disk, two rows.
    const { rows } = await getDb().query<{ id: string }>(
      'SELECT id FROM files WHERE owner_id = $1 AND deleted_at IS NULL',
      [userId],
    );
    expect(rows).toHaveLength(2);
    for (const { id } of rows) expect(await storage.head(`files/${id}`)).toEqual({ size: 4_000 });
    const stored = await getDb().query<{ n: number }>(
      'SELECT (count(*) + count(*) FILTER (WHERE has_thumb))::int AS n FROM files',
    );
    expect(await readdir(join(root, 'files'))).toHaveLength(stored.rows[0]?.n ?? -1);

    // Files removed (their messages deleted, then swept) no longer count.
    await getDb().query('UPDATE files SET deleted_at = now() WHERE id = $1', [rows[0]?.id]);
    expect((await upload(file(), 'e.bin')).status).toBe(201);
  });

  it('sweeps a backlog larger than one batch in one sweep', async () => {
    const owner = await registerUser(app, 'spammer');
    const total = SWEEP_BATCH + 205;
    await getDb().query(
      `INSERT INTO files (id, owner_id, name, size, content_type, created_at)
       SELECT gen_random_uuid(), $1, 'junk' || n, 1, 'application/octet-stream',
              now() - interval '2 days'
       FROM generate_series(1, $2::int) AS n`,
      [owner.user.id, total],
    );
    const removed = await sweepFiles(getDb(), storage, new Date());
    expect(removed.length).toBeGreaterThanOrEqual(total);
    const { rows } = await getDb().query<{ left: number }>(
      'SELECT count(*)::int AS left FROM files WHERE owner_id = $1 AND deleted_at IS NULL',
      [owner.user.id],
    );
    expect(rows[0]?.left).toBe(0);
  });
});
