import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { loadConfig } from './config.ts';
import { withSecrets } from './secrets.ts';
import { describeEachDb } from '../test/helpers/db.ts';

describeEachDb('secrets the environment leaves unset', (getDb) => {
  const dirs: string[] = [];
  const dataDir = async () => {
    const dir = await mkdtemp(join(tmpdir(), 'echora-secrets-'));
    dirs.push(dir);
    return dir;
  };
  beforeEach(() => getDb().query('DELETE FROM server_secrets'));
  afterEach(async () => {
    await Promise.all(dirs.splice(0).map((d) => rm(d, { recursive: true, force: true })));
  });

  it('are generated once, shared by every node of the database, and mirrored with mode 0600', async () => {
    const warnings: string[] = [];
    const warn = (m: string) => warnings.push(m);
    const [first, second] = await Promise.all([
      withSecrets(loadConfig({ DATA_DIR: await dataDir() }), getDb(), warn),
      withSecrets(loadConfig({ DATA_DIR: await dataDir() }), getDb(), warn),
    ]);
    // Two nodes with their own data folders sign with one key.
    expect(second.jwtSecret).toBe(first.jwtSecret);
    expect(second.voiceGrantSecret).toBe(first.voiceGrantSecret);
    expect(first.jwtSecret.length).toBeGreaterThanOrEqual(32);
    expect(first.voiceGrantSecret).not.toBe(first.jwtSecret);
    expect(warnings).toHaveLength(2);
    for (const dir of dirs) {
      const voice = join(dir, 'voice-secret');
      expect((await stat(voice)).mode & 0o777).toBe(0o600);
      expect((await readFile(voice, 'utf8')).trim()).toBe(first.voiceGrantSecret);
    }
    const again = await withSecrets(loadConfig({ DATA_DIR: await dataDir() }), getDb(), warn);
    expect(again.jwtSecret).toBe(first.jwtSecret);
    expect(warnings).toHaveLength(2);
  });

  it('adopt the key an earlier version kept in the data folder, so sessions survive the upgrade', async () => {
    const dir = await dataDir();
    const kept = 'k'.repeat(64);
    await writeFile(join(dir, 'jwt-secret'), `${kept}\n`, { mode: 0o600 });
    const warnings: string[] = [];
    const config = await withSecrets(loadConfig({ DATA_DIR: dir }), getDb(), (m) =>
      warnings.push(m),
    );
    expect(config.jwtSecret).toBe(kept);
    expect(warnings).toEqual([expect.stringContaining('VOICE_GRANT_SECRET')]);
    const other = await withSecrets(loadConfig({ DATA_DIR: await dataDir() }), getDb(), () => {});
    expect(other.jwtSecret).toBe(kept);
  });

  it('are taken from the environment when given, and nothing is stored for them', async () => {
    const given = 'g'.repeat(40);
    const config = await withSecrets(
      loadConfig({ DATA_DIR: await dataDir(), JWT_SECRET: given }),
      getDb(),
      () => {},
    );
    expect(config.jwtSecret).toBe(given);
    const { rows } = await getDb().query<{ name: string }>('SELECT name FROM server_secrets');
    expect(rows.map((r) => r.name).sort()).toEqual(['VAPID_KEYS', 'VOICE_GRANT_SECRET']);
  });

  it('make one VAPID key pair for every node, mirrored into the data folder', async () => {
    const [first, second] = await Promise.all([
      withSecrets(loadConfig({ DATA_DIR: await dataDir() }), getDb(), () => {}),
      withSecrets(loadConfig({ DATA_DIR: await dataDir() }), getDb(), () => {}),
    ]);
    expect(second.vapidKeys).toEqual(first.vapidKeys);
    // An uncompressed P-256 point, as PushManager.subscribe takes it.
    expect(Buffer.from(first.vapidKeys.publicKey, 'base64url')).toHaveLength(65);
    for (const dir of dirs) {
      const file = join(dir, 'vapid-keys.json');
      expect((await stat(file)).mode & 0o777).toBe(0o600);
      expect(JSON.parse(await readFile(file, 'utf8'))).toEqual(first.vapidKeys);
    }
  });
});
