import { randomBytes, randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { text } from 'node:stream/consumers';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLocalStorage } from './local.ts';
import { createS3Storage } from './s3.ts';
import { startS3rver, type S3rverHarness } from './s3rver-harness.ts';
import type { FileStorage } from './types.ts';

async function bytes(stream: Readable | undefined): Promise<Buffer> {
  if (!stream) throw new Error('no object');
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(Buffer.from(chunk as Uint8Array));
  return Buffer.concat(chunks);
}

/** One suite, run against every backend. */
function storageSuite(
  name: string,
  open: () => Promise<{ storage: FileStorage; close(): Promise<void> }>,
) {
  describe(`storage [${name}]`, () => {
    let storage: FileStorage;
    let opened: { storage: FileStorage; close(): Promise<void> } | undefined;
    beforeAll(async () => {
      opened = await open();
      storage = opened.storage;
    });
    afterAll(async () => {
      await storage.close();
      await opened?.close();
    });

    it('stores a stream and a buffer and reads the same bytes back', async () => {
      const data = randomBytes(200_000);
      const a = `files/${randomUUID()}`;
      const b = `files/${randomUUID()}.thumb`;
      await storage.put(a, Readable.from([data.subarray(0, 1000), data.subarray(1000)]), {
        contentType: 'application/octet-stream',
        size: data.length,
      });
      await storage.put(b, Buffer.from('thumb'), { contentType: 'image/webp', size: 5 });
      expect((await bytes(await storage.get(a))).equals(data)).toBe(true);
      expect(await text((await storage.get(b)) as Readable)).toBe('thumb');
      expect(await storage.head(a)).toEqual({ size: data.length });
    });

    it('answers undefined for a missing object, and deletes idempotently', async () => {
      const key = `files/${randomUUID()}`;
      expect(await storage.get(key)).toBeUndefined();
      expect(await storage.head(key)).toBeUndefined();
      await storage.put(key, Buffer.from('x'), { contentType: 'text/plain', size: 1 });
      await storage.delete(key);
      await storage.delete(key);
      expect(await storage.head(key)).toBeUndefined();
    });

    it('replaces an object stored twice under one key', async () => {
      const key = `files/${randomUUID()}`;
      await storage.put(key, Buffer.from('first'), { contentType: 'text/plain', size: 5 });
      await storage.put(key, Buffer.from('second!'), { contentType: 'text/plain', size: 7 });
      expect((await bytes(await storage.get(key))).toString()).toBe('second!');
    });

    it('refuses keys it did not make (path traversal, absolute, odd characters)', async () => {
      for (const key of ['../etc/passwd', 'files/../../x', '/tmp/x', 'files/abc', 'files/a b']) {
        await expect(storage.head(key)).rejects.toThrow(/refusing key/);
        await expect(
          storage.put(key, Buffer.from('x'), { contentType: 'text/plain', size: 1 }),
        ).rejects.toThrow(/refusing key/);
      }
    });

    it('presigns a download with the type and disposition the server chose, where it can', async () => {
      const key = `files/${randomUUID()}`;
      await storage.put(key, Buffer.from('<svg/>'), { contentType: 'image/svg+xml', size: 6 });
      const url = await storage.presignGet(
        key,
        { contentType: 'application/octet-stream', disposition: 'attachment; filename="a.svg"' },
        300,
      );
      if (storage.kind === 'local') {
        expect(url).toBeNull();
        return;
      }
      if (!url) throw new Error('S3 should presign');
      const response = await fetch(url);
      expect(response.status).toBe(200);
      expect(await response.text()).toBe('<svg/>');
      expect(response.headers.get('content-disposition')).toBe('attachment; filename="a.svg"');
      expect(response.headers.get('content-type')).toBe('application/octet-stream');
    });
  });
}

storageSuite('local', async () => {
  const root = await mkdtemp(join(tmpdir(), 'echora-storage-'));
  return {
    storage: createLocalStorage(root),
    close: () => rm(root, { recursive: true, force: true }),
  };
});

storageSuite('s3', async () => {
  const server: S3rverHarness = await startS3rver();
  return { storage: createS3Storage(server.options), close: () => server.stop() };
});
