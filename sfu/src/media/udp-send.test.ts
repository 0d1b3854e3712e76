import { describe, expect, it } from 'vitest';
import { execFile } from 'node:child_process';
import { createSocket, type Socket } from 'node:dgram';
import { udpSockets } from '../testing/udp-sockets.ts';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { sendDatagram, sendsDirectly } from './udp-send.ts';

const run = promisify(execFile);

/** The direct route is only taken on the Node version it was checked on. */
const onNode20 = process.versions.node.split('.')[0] === '20';
const { bound, track } = udpSockets();

function messages(socket: Socket, count: number): Promise<string[]> {
  const got: string[] = [];
  return new Promise((resolve) =>
    socket.on('message', (m) => {
      got.push(m.toString());
      if (got.length === count) resolve(got);
    }),
  );
}

describe('sendDatagram', () => {
  it('sends on the native handle, over IPv4 and IPv6, a fresh buffer each time', async () => {
    for (const [type, address] of [
      ['udp4', '127.0.0.1'],
      ['udp6', '::1'],
    ] as const) {
      const receiver = await bound(type, address);
      const sender = await bound(type, address);
      expect(sendsDirectly(sender)).toBe(onNode20);
      const got = messages(receiver, 50);
      for (let i = 0; i < 50; i++)
        sendDatagram(sender, Buffer.from(`${type} ${i}`), receiver.address().port, address);
      expect(await got).toEqual(Array.from({ length: 50 }, (_, i) => `${type} ${i}`));
    }
  });

  it('leaves unbound, connected and closed sockets to send (which throws on a closed one)', async () => {
    const receiver = await bound('udp4', '127.0.0.1');
    const port = receiver.address().port;
    const unbound = track(createSocket('udp4'));
    expect(sendsDirectly(unbound)).toBe(false);
    const first = messages(receiver, 1);
    sendDatagram(unbound, Buffer.from('bound on the way'), port, '127.0.0.1');
    expect(await first).toEqual(['bound on the way']);

    const connected = await bound('udp4', '127.0.0.1');
    await new Promise<void>((done) => connected.connect(port, '127.0.0.1', done));
    expect(sendsDirectly(connected)).toBe(false);
    const second = messages(receiver, 1);
    sendDatagram(connected, Buffer.from('to the connected peer'), port, '127.0.0.1');
    expect(await second).toEqual(['to the connected peer']);

    const closed = await bound('udp4', '127.0.0.1');
    closed.close();
    expect(sendsDirectly(closed)).toBe(false);
    expect(() => sendDatagram(closed, Buffer.from('x'), port, '127.0.0.1')).toThrow();
  });

  it('keeps queued datagrams intact when the kernel does not take them at once', async () => {
    // Node's --test-udp-no-try-send queues every datagram (as a full socket buffer would).
    const script = fileURLToPath(new URL('./udp-send.queued.ts', import.meta.url));
    const { stdout } = await run(
      process.execPath,
      ['--test-udp-no-try-send', '--expose-gc', '--import', 'tsx', script],
      { timeout: 20_000 },
    );
    expect(stdout.trim()).toBe('200 intact, in order, 200 queued');
  });
});
