import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { voiceSecret } from './secret.ts';

describe('voiceSecret', () => {
  let dir = '';
  afterEach(() => rm(dir, { recursive: true, force: true }));

  it('prefers the environment', async () => {
    dir = await mkdtemp(join(tmpdir(), 'sfu-secret-'));
    expect(await voiceSecret({ VOICE_GRANT_SECRET: ' given ', DATA_DIR: dir })).toBe('given');
  });

  it('waits for the sync server to write the file instead of making its own', async () => {
    dir = await mkdtemp(join(tmpdir(), 'sfu-secret-'));
    const read = voiceSecret({ DATA_DIR: dir });
    await writeFile(join(dir, 'voice-secret'), 'from-the-sync-server\n');
    expect(await read).toBe('from-the-sync-server');
  });

  it('gives up with undefined when no file appears', async () => {
    dir = await mkdtemp(join(tmpdir(), 'sfu-secret-'));
    expect(await voiceSecret({ DATA_DIR: dir }, 0)).toBeUndefined();
  });
});
