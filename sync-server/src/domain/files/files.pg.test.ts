import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import sharp from 'sharp';
import { newId, Permission, type Attachment, type Message } from '@echora/shared';
import { createTestApp, registerUser } from '../../../test/helpers/app.ts';
import { describeEachDb } from '../../../test/helpers/db.ts';
import { SyncClient, until } from '../../../test/helpers/sync-client.ts';
import { createLocalStorage } from '../../storage/local.ts';
import { createS3Storage } from '../../storage/s3.ts';
import { startS3rver, type S3rverHarness } from '../../storage/s3rver-harness.ts';
import type { FileStorage } from '../../storage/types.ts';
import { sweepFiles } from './cleanup.ts';

const CAP = 64 * 1024;
const EVERYONE_ROLE = '00000000-0000-7000-8000-000000000000';

interface User {
  id: string;
  token: string;
}

async function png(width = 64, height = 48): Promise<Buffer> {
  return sharp({ create: { width, height, channels: 3, background: '#3366cc' } })
    .png()
    .toBuffer();
}

/** A JPEG carrying EXIF with a GPS position, as phones write them. */
async function jpegWithGps(): Promise<Buffer> {
  return sharp({ create: { width: 40, height: 30, channels: 3, background: '#cc6633' } })
    .jpeg()
    .withExif({
      IFD0: { Make: 'PhoneCo' },
      IFD3: { GPSLatitudeRef: 'N', GPSLatitude: '51/1 30/1 0/1' },
    })
    .toBuffer();
}

/** Every storage backend the upload suite runs against. */
const backends: Record<
  string,
  () => Promise<{ storage: FileStorage; stop(): Promise<void>; root?: string }>
> = {
  local: async () => {
    const root = await mkdtemp(join(tmpdir(), 'echora-files-'));
    return {
      storage: createLocalStorage(root),
      root,
      stop: () => rm(root, { recursive: true, force: true }),
    };
  },
  s3: async () => {
    const server: S3rverHarness = await startS3rver();
    const storage = createS3Storage(server.options);
    return {
      storage,
      stop: async () => {
        await storage.close();
        await server.stop();
      },
    };
  },
};

describeEachDb('files', (getDb) => {
  for (const [backend, open] of Object.entries(backends)) {
    describe(`on ${backend} storage`, () => {
      let app: FastifyInstance;
      let url: string;
      let storage: FileStorage;
      let stop: () => Promise<void>;
      let root: string | undefined;
      let alice: User;
      let bob: User;
      let carol: User;
      let general: string;
      let secret: string;

      async function upload(
        user: User | null,
        bytes: Buffer,
        name: string,
        type = 'application/octet-stream',
      ): Promise<{ status: number; body: { file?: Attachment; error?: { kind: string } } }> {
        const form = new FormData();
        form.append('file', new Blob([new Uint8Array(bytes)], { type }), name);
        const response = await fetch(`${url}/api/uploads`, {
          method: 'POST',
          body: form,
          headers: user ? { authorization: `Bearer ${user.token}` } : {},
        });
        return { status: response.status, body: (await response.json()) as never };
      }

      async function uploaded(user: User, bytes: Buffer, name: string): Promise<Attachment> {
        const { status, body } = await upload(user, bytes, name);
        if (status !== 201 || !body.file) throw new Error(`upload ${name}: ${status}`);
        return body.file;
      }

      /** GETs a file as `user`; an S3 redirect is followed without credentials, as a browser would. */
      async function download(
        user: User | null,
        path: string,
      ): Promise<{ status: number; headers: Headers; bytes: Buffer; redirected: boolean }> {
        const first = await fetch(`${url}${path}`, {
          redirect: 'manual',
          headers: user ? { authorization: `Bearer ${user.token}` } : {},
        });
        const location = first.headers.get('location');
        const response = first.status === 302 && location ? await fetch(location) : first;
        return {
          status: response.status,
          headers: response.headers,
          bytes: Buffer.from(await response.arrayBuffer()),
          redirected: first.status === 302,
        };
      }

      beforeAll(async () => {
        const opened = await open();
        storage = opened.storage;
        stop = () => opened.stop();
        root = opened.root;
        const db = getDb();
        app = await createTestApp(db, { storage, config: { maxUploadBytes: CAP } });
        url = await app.listen({ port: 0, host: '127.0.0.1' });
        const sign = async (name: string): Promise<User> => {
          const r = await registerUser(app, `${name}-${backend}`);
          return { id: r.user.id, token: r.accessToken };
        };
        alice = await sign('alice');
        bob = await sign('bob');
        carol = await sign('carol');
        const { rows } = await db.query<{ id: string }>(
          "SELECT id FROM channels WHERE name = 'general' AND kind = 'text'",
        );
        general = rows[0]?.id ?? '';
        // A private channel: @everyone may not view it; Alice and Bob may.
        secret = newId();
        await db.query(
          "INSERT INTO channels (id, kind, name, topic, position) VALUES ($1, 'text', $2, '', 9)",
          [secret, `secret-${backend}`],
        );
        await db.query(
          `INSERT INTO channel_overrides (channel_id, target_type, target_id, allow, deny)
           VALUES ($1, 'role', $2, 0, $3), ($1, 'member', $4, $3, 0), ($1, 'member', $5, $3, 0)`,
          [secret, EVERYONE_ROLE, Permission.viewChannel, alice.id, bob.id],
        );
        await app.sync.deps.access.reload();
      });
      afterAll(async () => {
        await app?.close();
        await stop?.();
      });

      it('keeps the real type of a PNG named .exe and serves it inline with a thumbnail', async () => {
        const bytes = await png(64, 48);
        const file = await uploaded(alice, bytes, 'setup.exe');
        expect(file).toMatchObject({
          name: 'setup.exe',
          size: bytes.length,
          contentType: 'image/png',
          width: 64,
          height: 48,
          url: `/api/files/${file.id}`,
          thumbUrl: `/api/files/${file.id}/thumb`,
        });
        const got = await download(alice, file.url);
        expect(got.status).toBe(200);
        expect(got.bytes.equals(bytes)).toBe(true);
        expect(got.headers.get('content-type')).toBe('image/png');
        expect(got.headers.get('content-disposition')).toMatch(/^inline; filename="setup.exe"/);
        const thumb = await download(alice, file.thumbUrl ?? '');
        expect(thumb.headers.get('content-type')).toBe('image/webp');
        expect((await sharp(thumb.bytes).metadata()).width).toBe(64);
      });

      it('serves HTML named .png as text/html, as an attachment, never sniffed', async () => {
        const html = Buffer.from('<!doctype html><html><script>alert(1)</script></html>');
        const file = await uploaded(alice, html, 'cat.png');
        expect(file).toMatchObject({ contentType: 'text/html', thumbUrl: null, width: null });
        const got = await download(alice, file.url);
        expect(got.bytes.equals(html)).toBe(true);
        expect(got.headers.get('content-type')).toMatch(/^(text\/html|application\/octet-stream)/);
        expect(got.headers.get('content-disposition')).toMatch(/^attachment;/);
        if (!got.redirected) {
          expect(got.headers.get('x-content-type-options')).toBe('nosniff');
          expect(got.headers.get('content-security-policy')).toContain('sandbox');
        }
      });

      it('serves an SVG with a script as an attachment', async () => {
        const svg = Buffer.from(
          '<?xml version="1.0"?>\n<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>',
        );
        const file = await uploaded(alice, svg, 'logo.svg');
        expect(file.contentType).toBe('image/svg+xml');
        expect(file.thumbUrl).toBeNull();
        const got = await download(alice, file.url);
        expect(got.headers.get('content-disposition')).toMatch(/^attachment;/);
        expect(got.bytes.equals(svg)).toBe(true);
      });

      it('refuses a 0-byte file and a file one byte over the cap; takes one at the cap', async () => {
        expect(await upload(alice, Buffer.alloc(0), 'empty.txt')).toMatchObject({
          status: 400,
          body: { error: { kind: 'invalid', message: expect.stringMatching(/empty/) as unknown } },
        });
        expect(await upload(alice, Buffer.alloc(CAP + 1, 7), 'big.bin')).toMatchObject({
          status: 413,
          body: { error: { kind: 'too_large' } },
        });
        const atCap = await upload(alice, Buffer.alloc(CAP, 7), 'cap.bin');
        expect(atCap.status).toBe(201);
        expect(atCap.body.file).toMatchObject({
          size: CAP,
          contentType: 'application/octet-stream',
        });
      });

      it('keeps only the last segment of a path-traversal name and stores by id', async () => {
        const file = await uploaded(alice, Buffer.from('root:x:0:0'), '../../../etc/passwd');
        expect(file.name).toBe('passwd');
        const odd = await uploaded(alice, Buffer.from('x'), '..\\..\\win.ini');
        expect(odd.name).toBe('win.ini');
        const dots = await uploaded(alice, Buffer.from('x'), '....');
        expect(dots.name).toBe('file');
        expect(await storage.head(`files/${file.id}`)).toEqual({ size: 10 });
        if (root) {
          // Nothing escaped the storage folder: it holds one `files` folder of ids.
          expect(await readdir(root)).toEqual(['files']);
          const names = await readdir(join(root, 'files'));
          expect(names.every((n) => /^[0-9a-f-]{36}(\.thumb)?$/.test(n))).toBe(true);
        }
      });

      it('strips EXIF (GPS location) from a JPEG', async () => {
        const bytes = await jpegWithGps();
        expect((await sharp(bytes).metadata()).exif).toBeDefined();
        const file = await uploaded(alice, bytes, 'holiday.jpg');
        expect(file.contentType).toBe('image/jpeg');
        const got = await download(alice, file.url);
        const meta = await sharp(got.bytes).metadata();
        expect(meta.exif).toBeUndefined();
        expect(meta.width).toBe(40);
        expect(file.size).toBe(got.bytes.length);
      });

      it('asks for a token and for multipart', async () => {
        expect((await upload(null, Buffer.from('x'), 'a.txt')).status).toBe(401);
        const response = await fetch(`${url}/api/uploads`, {
          method: 'POST',
          headers: { authorization: `Bearer ${alice.token}`, 'content-type': 'application/json' },
          body: '{}',
        });
        expect(response.status).toBe(400);
        expect(await response.json()).toMatchObject({ error: { kind: 'invalid' } });
      });

      it('attaches uploads with message.send once; others see them, strangers get 404', async () => {
        const a = await (await SyncClient.connect(url, { token: alice.token })).synced();
        const b = await (await SyncClient.connect(url, { token: bob.token })).synced();
        const image = await png(20, 20);
        const pdf = Buffer.from('%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n');
        const img = await uploaded(alice, image, 'pic.png');
        const doc = await uploaded(alice, pdf, 'report.pdf');
        // Before it is attached, only its uploader can fetch it.
        expect((await download(bob, img.url)).status).toBe(404);
        expect((await download(alice, img.url)).status).toBe(200);

        const id = newId();
        const args = { id, channelId: secret, content: '', attachmentIds: [img.id, doc.id] };
        const ack = await a.mutate('message.send', args);
        expect(ack).toMatchObject({ type: 'ack' });
        await until(() => (b.replica.messages.get(id)?.attachments.length ?? 0) === 2);
        const message = b.replica.messages.get(id) as Message;
        expect(message.attachments.map((f) => [f.name, f.contentType])).toEqual([
          ['pic.png', 'image/png'],
          ['report.pdf', 'application/pdf'],
        ]);
        // A replay of the same message attaches nothing twice and is acked the same.
        expect(await a.mutate('message.send', args)).toMatchObject({
          type: 'ack',
          version: ack.type === 'ack' ? ack.version : -1,
        });
        // The files cannot be attached to another message, nor by someone else.
        expect(
          await a.mutate('message.send', { ...args, id: newId(), channelId: general }),
        ).toMatchObject({ type: 'reject', error: { kind: 'conflict' } });
        const bobs = await uploaded(bob, Buffer.from('mine'), 'b.txt');
        expect(
          await a.mutate('message.send', {
            id: newId(),
            channelId: general,
            content: 'stolen',
            attachmentIds: [bobs.id],
          }),
        ).toMatchObject({ type: 'reject', error: { kind: 'not_found' } });
        // Blank without files is still refused.
        expect(
          await a.mutate('message.send', { id: newId(), channelId: general, content: ' ' }),
        ).toMatchObject({ type: 'reject', error: { kind: 'invalid' } });

        const got = await download(bob, doc.url);
        expect(got.status).toBe(200);
        expect(got.bytes.equals(pdf)).toBe(true);
        expect(got.headers.get('content-disposition')).toMatch(
          /^attachment; filename="report.pdf"/,
        );
        expect((await download(bob, img.thumbUrl ?? '')).status).toBe(200);
        // Carol cannot see the channel: the link alone gets her nothing.
        expect((await download(carol, doc.url)).status).toBe(404);
        expect((await download(carol, img.thumbUrl ?? '')).status).toBe(404);
        expect((await download(null, doc.url)).status).toBe(401);
        await a.close();
        await b.close();
      });

      it('refuses attachments without the attach files permission', async () => {
        await getDb().query(
          `INSERT INTO channel_overrides (channel_id, target_type, target_id, allow, deny)
           VALUES ($1, 'member', $2, 0, $3)`,
          [general, carol.id, Permission.attachFiles],
        );
        await app.sync.deps.access.reload();
        const c = await (await SyncClient.connect(url, { token: carol.token })).synced();
        const file = await uploaded(carol, Buffer.from('hi'), 'hi.txt');
        expect(
          await c.mutate('message.send', {
            id: newId(),
            channelId: general,
            content: 'look',
            attachmentIds: [file.id],
          }),
        ).toMatchObject({ type: 'reject', error: { kind: 'forbidden' } });
        await c.close();
      });

      it('sweeps unattached uploads after a day and files of deleted messages', async () => {
        const a = await (await SyncClient.connect(url, { token: alice.token })).synced();
        const orphan = await uploaded(alice, Buffer.from('orphan'), 'orphan.txt');
        const kept = await uploaded(alice, Buffer.from('kept'), 'kept.txt');
        const gone = await uploaded(alice, Buffer.from('gone'), 'gone.txt');
        const keptMessage = newId();
        const goneMessage = newId();
        for (const [id, file] of [
          [keptMessage, kept],
          [goneMessage, gone],
        ] as const) {
          expect(
            await a.mutate('message.send', {
              id,
              channelId: general,
              content: 'file',
              attachmentIds: [file.id],
            }),
          ).toMatchObject({ type: 'ack' });
        }
        expect(await a.mutate('message.delete', { id: goneMessage })).toMatchObject({
          type: 'ack',
        });
        // Deleted with its message: unreachable at once, bytes removed by the sweep.
        expect((await download(alice, gone.url)).status).toBe(404);
        const now = await sweepFiles(getDb(), storage, new Date());
        expect(now).toContain(gone.id);
        expect(now).not.toContain(orphan.id);
        expect(await storage.head(`files/${gone.id}`)).toBeUndefined();

        const later = await sweepFiles(getDb(), storage, new Date(Date.now() + 25 * 3600_000));
        expect(later).toContain(orphan.id);
        expect(later).not.toContain(kept.id);
        expect(await storage.head(`files/${orphan.id}`)).toBeUndefined();
        expect(await storage.head(`files/${kept.id}`)).toEqual({ size: 4 });
        expect((await download(alice, kept.url)).status).toBe(200);
        await a.close();
      });

      it('edits a profile with an avatar; everyone receives the member change', async () => {
        const b = await (await SyncClient.connect(url, { token: bob.token })).synced();
        const source = await uploaded(alice, await png(300, 120), 'me.png');
        const response = await app.inject({
          method: 'PATCH',
          url: '/api/profile',
          headers: { authorization: `Bearer ${alice.token}` },
          payload: {
            displayName: '  Alice A. ',
            bio: 'Hello\nthere',
            pronouns: 'she/her',
            statusText: 'writing tests',
            avatarUploadId: source.id,
          },
        });
        expect(response.statusCode).toBe(200);
        const member = response.json<{ member: { avatarUrl: string } }>().member;
        expect(member).toMatchObject({
          id: alice.id,
          displayName: 'Alice A.',
          bio: 'Hello\nthere',
          pronouns: 'she/her',
          statusText: 'writing tests',
        });
        const frame = await b.waitFor(
          (f) =>
            f.type === 'changes' &&
            f.changes.some(
              (c) => c.op === 'upsert' && c.entity === 'member' && c.data.id === alice.id,
            ),
        );
        expect(JSON.stringify(frame)).toContain('writing tests');
        const avatar = await download(bob, member.avatarUrl);
        expect(avatar.status).toBe(200);
        const meta = await sharp(avatar.bytes).metadata();
        expect([meta.format, meta.width, meta.height]).toEqual(['webp', 256, 256]);
        const thumb = await download(carol, `${member.avatarUrl}/thumb`);
        expect((await sharp(thumb.bytes).metadata()).width).toBe(64);

        const bad = await app.inject({
          method: 'PATCH',
          url: '/api/profile',
          headers: { authorization: `Bearer ${bob.token}` },
          payload: { avatarUploadId: source.id },
        });
        expect(bad.statusCode).toBe(404);
        const blank = await app.inject({
          method: 'PATCH',
          url: '/api/profile',
          headers: { authorization: `Bearer ${bob.token}` },
          payload: { displayName: '   ' },
        });
        expect(blank.json()).toMatchObject({ error: { kind: 'invalid' } });
        const long = await app.inject({
          method: 'PATCH',
          url: '/api/profile',
          headers: { authorization: `Bearer ${bob.token}` },
          payload: { bio: 'x'.repeat(1000) },
        });
        expect(long.statusCode).toBe(400);
        await b.close();
      });

      it('accepts the media cookie instead of a header (for <img src>)', async () => {
        const file = await uploaded(alice, await png(8, 8), 'dot.png');
        const session = await fetch(`${url}/api/files/session`, {
          method: 'POST',
          headers: { authorization: `Bearer ${alice.token}` },
        });
        expect(session.status).toBe(204);
        const cookie = session.headers.get('set-cookie') ?? '';
        expect(cookie).toMatch(/echora_media=.*HttpOnly/i);
        expect(cookie).toMatch(/Path=\/api\/files/);
        const got = await fetch(`${url}${file.url}`, {
          redirect: 'manual',
          headers: { cookie: cookie.split(';')[0] ?? '' },
        });
        expect([200, 302]).toContain(got.status);
        // Read the body: an unread stream keeps the connection busy and app.close() waits for it.
        await got.arrayBuffer();
      });
    });
  }
});
