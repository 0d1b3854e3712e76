/**
 * Backup → restore round trip on Postgres and PGlite: messages and uploaded
 * files made through the real API are backed up into one archive, restored
 * into a fresh database (or data folder) and upload folder, and a server
 * started there shows every message and serves every file, bytes equal.
 */
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { newId } from '@echora/shared';
import { afterAll, describe, expect, it } from 'vitest';
import { createBackup, restoreBackup } from '../../src/backup/archive.ts';
import { createDb, migrate } from '../../src/db/index.ts';
import type { ScriptDb } from '../../src/db/script.ts';
import { createTestApp, registerUser, testConfig } from '../helpers/app.ts';
import { createPgTestDatabase } from '../helpers/db.ts';
import { SyncClient } from '../helpers/sync-client.ts';

const run = promisify(execFile);
const BACKUP_CLI = fileURLToPath(new URL('../../src/backup.ts', import.meta.url));

/** A database of `kind` with its data folder, made fresh for this test. */
async function freshSite(kind: 'pg' | 'pglite', folders: string[], drops: (() => Promise<void>)[]) {
  const dataDir = await mkdtemp(join(tmpdir(), 'echora-site-'));
  folders.push(dataDir);
  const database = kind === 'pg' ? await createPgTestDatabase() : undefined;
  if (database) drops.push(() => database.drop());
  const db = await createDb({ databaseUrl: database?.url, dataDir });
  const uploads = join(dataDir, 'uploads');
  const config = {
    dataDir,
    storage: { ...testConfig().storage, backend: 'local' as const, path: uploads },
  };
  return { db, dataDir, uploads, config, url: database?.url };
}

for (const kind of ['pg', 'pglite'] as const) {
  describe(`backup and restore [${kind}]`, () => {
    const folders: string[] = [];
    const drops: (() => Promise<void>)[] = [];
    const dbs: ScriptDb[] = [];

    afterAll(async () => {
      for (const db of dbs) await db.close().catch(() => undefined);
      for (const drop of drops) await drop();
      for (const folder of folders) await rm(folder, { recursive: true, force: true });
    });

    it('brings back every message and file into a fresh install', async () => {
      // --- The original site: messages, some with files, through the real API.
      const source = await freshSite(kind, folders, drops);
      dbs.push(source.db);
      await migrate(source.db);
      const app = await createTestApp(source.db, { config: source.config });
      const url = await app.listen({ port: 0, host: '127.0.0.1' });
      const alice = await registerUser(app, 'alice');
      await registerUser(app, 'bob', 'bobs password');
      const client = await (await SyncClient.connect(url, { token: alice.accessToken })).synced();
      const general = [...client.replica.channels.values()].find((c) => c.name === 'general');
      if (!general) throw new Error('no general channel');

      const files = new Map<string, { bytes: Buffer; url: string }>();
      const sent = new Map<string, string>();
      for (let i = 0; i < 12; i++) {
        const attachmentIds: string[] = [];
        if (i % 4 === 0) {
          const bytes = randomBytes(5000 + i);
          const form = new FormData();
          form.append('file', new Blob([new Uint8Array(bytes)]), `blob-${i}.bin`);
          const response = await fetch(`${url}/api/uploads`, {
            method: 'POST',
            body: form,
            headers: { authorization: `Bearer ${alice.accessToken}` },
          });
          expect(response.status).toBe(201);
          const { file } = (await response.json()) as { file: { id: string; url: string } };
          files.set(file.id, { bytes, url: file.url });
          attachmentIds.push(file.id);
        }
        const id = newId();
        const content = `message ${i} ✓ ${'x'.repeat(i)}`;
        const ack = await client.mutate('message.send', {
          id,
          channelId: general.id,
          content,
          ...(attachmentIds.length ? { attachmentIds } : {}),
        });
        expect(ack).toMatchObject({ type: 'ack' });
        sent.set(id, content);
      }
      await client.close();
      await app.close();

      const archive = join(source.dataDir, 'site.tar.gz');
      const made = await createBackup(source.db, source.uploads, archive);
      expect(made.uploads).toBe(true);

      // --- A fresh database and folder: restore, then start a server there.
      const target = await freshSite(kind, folders, drops);
      dbs.push(target.db);
      await restoreBackup(target.db, target.uploads, archive);
      const restored = await createTestApp(target.db, { config: target.config });
      const restoredUrl = await restored.listen({ port: 0, host: '127.0.0.1' });
      try {
        const login = await fetch(`${restoredUrl}/api/auth/login`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({
            username: 'bob',
            password: 'bobs password',
            tokenDelivery: 'body',
          }),
        });
        expect(login.status).toBe(200);
        const { accessToken } = (await login.json()) as { accessToken: string };
        const reader = await (
          await SyncClient.connect(restoredUrl, { token: accessToken })
        ).synced();
        const seen = new Map(
          reader.replica.channelMessages(general.id).map((m) => [m.id, m] as const),
        );
        expect(new Map([...seen].map(([id, m]) => [id, m.content]))).toEqual(sent);
        const attached = [...seen.values()].flatMap((m) => m.attachments.map((a) => a.id));
        expect(attached.sort()).toEqual([...files.keys()].sort());
        for (const { bytes, url: path } of files.values()) {
          const got = await fetch(`${restoredUrl}${path}`, {
            headers: { authorization: `Bearer ${accessToken}` },
          });
          expect(got.status).toBe(200);
          expect(Buffer.from(await got.arrayBuffer()).equals(bytes)).toBe(true);
        }
        // New rows after a restore get fresh ids and sequence numbers.
        const id = newId();
        expect(
          await reader.mutate('message.send', { id, channelId: general.id, content: 'after' }),
        ).toMatchObject({ type: 'ack' });
        await reader.close();
      } finally {
        await restored.close();
      }

      // --- The commands, as processes, refuse a target that already has users.
      await target.db.close();
      dbs.pop();
      const env = {
        ...process.env,
        NODE_ENV: 'test',
        DATA_DIR: target.dataDir,
        ...(target.url ? { DATABASE_URL: target.url } : {}),
      };
      const refused = run(process.execPath, ['--import', 'tsx', BACKUP_CLI, 'restore', archive], {
        env,
      });
      await expect(refused).rejects.toMatchObject({
        stderr: expect.stringContaining('already has users') as unknown,
      });
      const again = join(target.dataDir, 'again.tar.gz');
      const { stdout } = await run(
        process.execPath,
        ['--import', 'tsx', BACKUP_CLI, 'backup', again],
        { env },
      );
      expect(stdout).toMatch(/^Backed up \d+ rows in \d+ tables and the uploaded files to /);
    });
  });
}
