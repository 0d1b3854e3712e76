import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { NotesDown } from '@echora/shared';
import type { SyncEngine } from '../src/sync/engine.ts';
import { dispose, newDevice, startOnline, until } from './helpers.ts';
import { startServer, type Account, type TestServer } from './server.ts';

/*
 * Every notes frame the server sends reaches the notes of the page: the list
 * of kept versions once went unanswered, because the engine dropped it.
 */
describe.each(['pg', 'pglite'] as const)('notes frames through the engine, on %s', (kind) => {
  let server: TestServer;
  let alice: Account;
  const live: SyncEngine[] = [];

  beforeAll(async () => {
    server = await startServer(kind);
    alice = await server.register('alice');
  });
  afterEach(() => live.splice(0).forEach(dispose));
  afterAll(async () => {
    await (server as TestServer | undefined)?.stop();
  });

  it('hands the kept versions of an open document to whoever listens', async () => {
    const engine = await startOnline(live, newDevice(), alice, server.syncUrl);
    const channel = await until(
      async () => (await engine.replica.channels.toArray()).find((c) => c.kind === 'text'),
      'a text channel',
    );
    const frames: NotesDown[] = [];
    engine.onNotes((frame) => frames.push(frame));
    const arrived = (type: NotesDown['type']) =>
      until(() => Promise.resolve(frames.find((f) => f.type === type)), type);

    expect(engine.sendNotes({ type: 'notes.open', channelId: channel.id })).toBe(true);
    await arrived('notes.opened');
    expect(engine.sendNotes({ type: 'notes.versions', channelId: channel.id })).toBe(true);
    expect(await arrived('notes.versions')).toEqual({
      type: 'notes.versions',
      channelId: channel.id,
      versions: [],
    });
  });
});
