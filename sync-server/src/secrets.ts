import { randomBytes } from 'node:crypto';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Config, LoadedConfig } from './config.ts';

/**
 * Reads the secret kept in `path`, or makes one and keeps it there (mode
 * 0600), so a fresh install works and restarts keep their sessions.
 */
export async function readOrCreateSecret(
  path: string,
): Promise<{ secret: string; created: boolean }> {
  try {
    return { secret: (await readFile(path, 'utf8')).trim(), created: false };
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
  const secret = randomBytes(48).toString('base64url');
  try {
    // 'wx': if another process made it first, keep theirs.
    await writeFile(path, `${secret}\n`, { mode: 0o600, flag: 'wx' });
    return { secret, created: true };
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    return { secret: (await readFile(path, 'utf8')).trim(), created: false };
  }
}

/**
 * Fills in the secrets the environment left unset from files in the data
 * folder, creating them the first time; `warn` hears about each one made.
 */
export async function withSecrets(
  loaded: LoadedConfig,
  warn: (message: string) => void,
): Promise<Config> {
  await mkdir(loaded.dataDir, { recursive: true });
  const fill = async (given: string | undefined, file: string, variable: string) => {
    if (given) return given;
    const path = join(loaded.dataDir, file);
    const { secret, created } = await readOrCreateSecret(path);
    if (created) warn(`${variable} is not set: generated one into ${path} (keep it secret)`);
    return secret;
  };
  return {
    ...loaded,
    jwtSecret: await fill(loaded.jwtSecret, 'jwt-secret', 'JWT_SECRET'),
    voiceGrantSecret: await fill(loaded.voiceGrantSecret, 'voice-secret', 'VOICE_GRANT_SECRET'),
  };
}
