import { readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';

/** How long an SFU started beside the sync server waits for it to write the secret. */
const WAIT_MS = 60_000;

/**
 * `VOICE_GRANT_SECRET` from the environment, else the one the sync server
 * keeps in `<DATA_DIR>/voice-secret`. The sync server is the only writer: the
 * secret lives in the database, shared by every node, and each node mirrors it
 * into its data folder. Started beside it by `npm start`, the SFU waits for
 * that file rather than making its own, which could differ from the
 * database's on a second machine. Undefined when none appears in time.
 */
export async function voiceSecret(
  env: NodeJS.ProcessEnv,
  waitMs = WAIT_MS,
): Promise<string | undefined> {
  const given = env.VOICE_GRANT_SECRET?.trim();
  if (given) return given;
  const path = join(resolve(env.DATA_DIR?.trim() || './data'), 'voice-secret');
  const deadline = Date.now() + waitMs;
  for (;;) {
    try {
      const secret = (await readFile(path, 'utf8')).trim();
      if (secret) return secret;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') return undefined;
    }
    if (Date.now() >= deadline) return undefined;
    await delay(100);
  }
}
