import { randomBytes } from 'node:crypto';
import { mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import webpush from 'web-push';
import type { Config, LoadedConfig, VapidKeys } from './config.ts';
import type { Queryable } from './db/types.ts';

/** The secret kept in `path`, or undefined when there is no such file. */
async function readSecretFile(path: string): Promise<string | undefined> {
  try {
    return (await readFile(path, 'utf8')).trim() || undefined;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    return undefined;
  }
}

/**
 * The deployment's secret called `name`: the one in the database, else the
 * one in `path` (kept by an earlier version, so sessions survive the
 * upgrade), else a new one. The first node to insert wins; every other node
 * reads the winner, so all nodes behind a load balancer sign with one key.
 * The value is mirrored into `path` (mode 0600) for an SFU on this machine.
 */
export async function sharedSecret(
  db: Queryable,
  name: string,
  path: string,
  make: () => string = () => randomBytes(48).toString('base64url'),
): Promise<{ secret: string; created: boolean }> {
  const local = await readSecretFile(path);
  const offered = local ?? make();
  const inserted = await db.query<{ value: string }>(
    `INSERT INTO server_secrets (name, value) VALUES ($1, $2)
     ON CONFLICT (name) DO NOTHING RETURNING value`,
    [name, offered],
  );
  const secret =
    inserted.rows[0]?.value ??
    (await db.query<{ value: string }>('SELECT value FROM server_secrets WHERE name = $1', [name]))
      .rows[0]?.value;
  if (!secret) throw new Error(`server secret ${name} vanished while being read`);
  if (secret !== local) {
    // Whole or not at all: an SFU may be waiting to read it.
    const temporary = `${path}.${process.pid}.tmp`;
    await writeFile(temporary, `${secret}\n`, { mode: 0o600 });
    await rename(temporary, path);
  }
  return { secret, created: inserted.rows.length > 0 && local === undefined };
}

/**
 * Fills in the secrets the environment left unset from the database (shared
 * by every node), creating them the first time; `warn` hears about each one
 * made. Rotation: set the variable, or delete its row and restart the nodes.
 */
export async function withSecrets(
  loaded: LoadedConfig,
  db: Queryable,
  warn: (message: string) => void,
): Promise<Config> {
  await mkdir(loaded.dataDir, { recursive: true });
  const fill = async (given: string | undefined, file: string, variable: string) => {
    if (given) return given;
    const { secret, created } = await sharedSecret(db, variable, join(loaded.dataDir, file));
    if (created) {
      warn(`${variable} is not set: generated one, shared by every node through the database`);
    }
    return secret;
  };
  return {
    ...loaded,
    jwtSecret: await fill(loaded.jwtSecret, SECRET_FILES.JWT_SECRET, 'JWT_SECRET'),
    voiceGrantSecret: await fill(
      loaded.voiceGrantSecret,
      SECRET_FILES.VOICE_GRANT_SECRET,
      'VOICE_GRANT_SECRET',
    ),
    vapidKeys: await vapidKeys(db, join(loaded.dataDir, 'vapid-keys.json')),
  };
}

/** Each shared secret (its row name, the variable that overrides it) and its mirror file. */
export const SECRET_FILES = {
  JWT_SECRET: 'jwt-secret',
  VOICE_GRANT_SECRET: 'voice-secret',
} as const;

/**
 * Replaces every shared secret in the database with a new one and rewrites
 * this machine's mirrors in `dataDir`. Nodes read the secrets at start-up:
 * restart them all (and the SFUs) afterwards. Access tokens signed with the
 * old key stop working; clients renew them through their refresh token.
 */
export async function rotateSharedSecrets(db: Queryable, dataDir: string): Promise<string[]> {
  await mkdir(dataDir, { recursive: true });
  const names = Object.keys(SECRET_FILES) as (keyof typeof SECRET_FILES)[];
  for (const name of names) {
    const path = join(dataDir, SECRET_FILES[name]);
    // The old mirror would otherwise be offered again as the value to keep.
    await rm(path, { force: true });
    await db.query('DELETE FROM server_secrets WHERE name = $1', [name]);
    await sharedSecret(db, name, path);
  }
  return names;
}

/**
 * The deployment's VAPID key pair (Web Push), made once and shared like the
 * other secrets: every node signs pushes with it, and a new pair would orphan
 * every device's subscription (they are bound to the public key).
 */
export async function vapidKeys(db: Queryable, path: string): Promise<VapidKeys> {
  const { secret } = await sharedSecret(db, 'VAPID_KEYS', path, () =>
    JSON.stringify(webpush.generateVAPIDKeys()),
  );
  const parsed = JSON.parse(secret) as Partial<VapidKeys>;
  if (typeof parsed.publicKey !== 'string' || typeof parsed.privateKey !== 'string') {
    throw new Error('server secret VAPID_KEYS is not a key pair');
  }
  return { publicKey: parsed.publicKey, privateKey: parsed.privateKey };
}
