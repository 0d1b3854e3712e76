import { once } from 'node:events';
import { describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { openSocketPair } from './socket-pair.ts';

describe('openSocketPair', () => {
  it('connects two ends that hear each other, and close() ends both', async () => {
    const { server, client, close } = await openSocketPair();
    const toClient = once(client, 'message');
    server.send('down');
    expect(String((await toClient)[0])).toBe('down');
    const toServer = once(server, 'message');
    client.send('up');
    expect(String((await toServer)[0])).toBe('up');
    const closed = Promise.all([once(client, 'close'), once(server, 'close')]);
    await close();
    await closed;
    expect(client.readyState).toBe(WebSocket.CLOSED);
    expect(server.readyState).toBe(WebSocket.CLOSED);
  });
});
