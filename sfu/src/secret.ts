import { randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

/**
 * `VOICE_GRANT_SECRET` from the environment, else the one the sync server
 * keeps in `<DATA_DIR>/voice-secret` (made here first if the SFU wins the
 * race; 'wx' keeps whichever process wrote it first). Started beside the sync
 * server by `npm start`, both then agree without any setting.
 */
export function voiceSecret(env: NodeJS.ProcessEnv): string | undefined {
  const given = env.VOICE_GRANT_SECRET?.trim();
  if (given) return given;
  const dir = resolve(env.DATA_DIR?.trim() || './data');
  const path = join(dir, 'voice-secret');
  try {
    return readFileSync(path, 'utf8').trim();
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') return undefined;
  }
  mkdirSync(dir, { recursive: true });
  try {
    writeFileSync(path, `${randomBytes(48).toString('base64url')}\n`, { mode: 0o600, flag: 'wx' });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') return undefined;
  }
  return readFileSync(path, 'utf8').trim();
}
