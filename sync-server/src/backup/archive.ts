import { cp, mkdtemp, readFile, rm, stat, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import * as tar from 'tar';
import type { ScriptDb } from '../db/script.ts';
import { dumpDatabase, type BackupMeta } from './dump.ts';
import { loadDatabase, RestoreError } from './load.ts';

// One backup is one .tar.gz: meta.json, db/<table>.jsonl and uploads/ (the
// local file storage as it is on disk). Readable with `tar tzf`.

const isDir = (path: string) =>
  stat(path).then(
    (info) => info.isDirectory(),
    () => false,
  );

async function inTemporaryDir<T>(fn: (dir: string) => Promise<T>): Promise<T> {
  const dir = await mkdtemp(join(tmpdir(), 'echora-backup-'));
  try {
    return await fn(dir);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/**
 * Writes a backup of `db` and of the local upload folder `uploadsDir`
 * (undefined with S3 storage: the bucket is backed up on its own) to `file`.
 */
export async function createBackup(
  db: ScriptDb,
  uploadsDir: string | undefined,
  file: string,
): Promise<BackupMeta> {
  return inTemporaryDir(async (dir) => {
    const meta = await dumpDatabase(db, dir);
    if (uploadsDir && (await isDir(uploadsDir))) {
      await symlink(resolve(uploadsDir), join(dir, 'uploads'));
      meta.uploads = true;
    }
    await writeFile(join(dir, 'meta.json'), JSON.stringify(meta, null, 2));
    const entries = ['meta.json', 'db', ...(meta.uploads ? ['uploads'] : [])];
    await tar.create(
      { file: resolve(file), gzip: true, cwd: dir, follow: true, portable: true },
      entries,
    );
    return meta;
  });
}

/**
 * Restores a backup made by {@link createBackup} into `db` (fresh: no users
 * yet) and its files into `uploadsDir`.
 */
export async function restoreBackup(
  db: ScriptDb,
  uploadsDir: string | undefined,
  file: string,
): Promise<BackupMeta> {
  return inTemporaryDir(async (dir) => {
    await tar.extract({ file: resolve(file), cwd: dir, strict: true });
    let meta: BackupMeta;
    try {
      meta = JSON.parse(await readFile(join(dir, 'meta.json'), 'utf8')) as BackupMeta;
    } catch {
      throw new RestoreError(`${file} is not an Echora backup (no meta.json)`);
    }
    if (meta.format !== 'echora-backup' || meta.version !== 1) {
      throw new RestoreError(`${file} is not an Echora backup this version can read`);
    }
    await loadDatabase(db, dir, meta);
    if (meta.uploads) {
      if (!uploadsDir) {
        throw new RestoreError(
          'The backup holds uploaded files but storage is not local (STORAGE_BACKEND)',
        );
      }
      await cp(join(dir, 'uploads'), uploadsDir, { recursive: true, force: true });
    }
    return meta;
  });
}
