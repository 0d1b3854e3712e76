import type { Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { openSocketPair } from '@echora/testkit';
import { Outbound } from './outbound.ts';

describe('outbound byte bound', () => {
  let cleanup: (() => Promise<void>) | undefined;
  afterEach(async () => {
    await cleanup?.();
    cleanup = undefined;
  });

  const FRAME = 'x'.repeat(64 * 1024);
  const limits = { socketBufferBytes: 1024 * 1024, socketPauseBytes: 256 * 1024 };

  /** Sends frames until `overflow` fires (the kernel's buffers fill first): how many went out. */
  function fillUntilOverflow(outbound: Outbound, overflowed: () => boolean): number {
    let sent = 0;
    // Kernel buffers on loopback hold a few MB; 100k frames (6 GB) would mean no bound at all.
    while (!overflowed() && sent < 100_000) {
      outbound.send(FRAME);
      sent += 1;
    }
    return sent;
  }

  it('refuses a frame past the bound instead of buffering it, and holds no more than the bound', async () => {
    const { server, client, close } = await openSocketPair();
    cleanup = close;
    client.pause();
    let overflows = 0;
    const outbound = new Outbound(server, limits, { overflow: () => (overflows += 1) });
    const sent = fillUntilOverflow(outbound, () => overflows > 0);
    expect(overflows).toBe(1);
    expect(sent).toBeLessThan(100_000);
    expect(outbound.waiting).toBeLessThanOrEqual(limits.socketBufferBytes);
    expect(outbound.backedUp).toBe(true);
    // Once closed it sends nothing, not even past the bound.
    outbound.close();
    const waiting = outbound.waiting;
    outbound.send(FRAME);
    expect(outbound.waiting).toBe(waiting);
    expect(overflows).toBe(1);
  });

  it('drained() waits while backed up and resolves once the client reads', async () => {
    const { server, client, close } = await openSocketPair();
    cleanup = close;
    client.pause();
    let overflowed = false;
    const outbound = new Outbound(server, limits, { overflow: () => (overflowed = true) });
    fillUntilOverflow(outbound, () => overflowed);
    let drained = false;
    const waiting = outbound.drained().then(() => (drained = true));
    // Let every pending callback run: still backed up, still waiting.
    await new Promise((resolve) => setImmediate(resolve));
    expect(drained).toBe(false);
    client.resume();
    await waiting;
    expect(outbound.backedUp).toBe(false);
  });

  it('close() releases whoever waits', async () => {
    const { server, client, close } = await openSocketPair();
    cleanup = close;
    client.pause();
    let overflowed = false;
    const outbound = new Outbound(server, limits, { overflow: () => (overflowed = true) });
    fillUntilOverflow(outbound, () => overflowed);
    const waiting = outbound.drained();
    outbound.close();
    await waiting;
    expect(outbound.backedUp).toBe(true);
  });

  it('sends a frame given as UTF-8 bytes as a text frame, as it sends a string', async () => {
    const { server, client, close } = await openSocketPair();
    cleanup = close;
    const outbound = new Outbound(server, limits, { overflow: () => undefined });
    const got: { text: string; binary: boolean }[] = [];
    const two = new Promise<void>((resolve) =>
      client.on('message', (data: Buffer, binary: boolean) => {
        got.push({ text: data.toString('utf8'), binary });
        if (got.length === 2) resolve();
      }),
    );
    outbound.send(Buffer.from('{"é":1}', 'utf8'));
    outbound.send('{"é":2}');
    await two;
    expect(got).toEqual([
      { text: '{"é":1}', binary: false },
      { text: '{"é":2}', binary: false },
    ]);
  });

  it('holds the frames of one loop turn and writes them together after it, in order', async () => {
    const { server, client, close } = await openSocketPair();
    cleanup = close;
    const tcp = (server as unknown as { _socket: Socket })._socket;
    const outbound = new Outbound(server, limits, { overflow: () => undefined });
    const got: string[] = [];
    const three = new Promise<void>((resolve) =>
      client.on('message', (data: Buffer) => {
        got.push(data.toString('utf8'));
        if (got.length === 3) resolve();
      }),
    );
    outbound.send('1');
    outbound.send('2');
    expect(tcp.writableCorked).toBe(1);
    expect(tcp.writableLength).toBeGreaterThan(0);
    await new Promise((resolve) => setImmediate(resolve));
    expect(tcp.writableCorked).toBe(0);
    outbound.send('3');
    await three;
    expect(got).toEqual(['1', '2', '3']);
  });
});
