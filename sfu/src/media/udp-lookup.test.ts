import { describe, expect, it } from 'vitest';
import type { Socket } from 'node:dgram';
import { udpSockets } from '../testing/udp-sockets.ts';
import { skipIpLiteralLookup } from './udp-lookup.ts';

const { bound } = udpSockets();

function nextMessage(socket: Socket): Promise<string> {
  return new Promise((resolve) => socket.once('message', (m) => resolve(m.toString())));
}

describe('skipIpLiteralLookup', () => {
  it('sends to an IP literal within the send call, before the socket closes', async () => {
    const receiver = await bound('udp4', '127.0.0.1');
    const sender = await bound('udp4', '127.0.0.1');
    expect(skipIpLiteralLookup(sender)).toBe(true);
    const got = nextMessage(receiver);
    // With Node's lookup the datagram would wait for the next tick, and a socket closed
    // meanwhile drops it.
    sender.send('now', receiver.address().port, '127.0.0.1');
    sender.close();
    expect(await got).toBe('now');
  });

  it('still resolves names, and sends to IPv6 literals', async () => {
    const receiver = await bound('udp4', '127.0.0.1');
    const sender = await bound('udp4', '127.0.0.1');
    skipIpLiteralLookup(sender);
    skipIpLiteralLookup(sender); // twice is once
    const first = nextMessage(receiver);
    sender.send('by name', receiver.address().port, 'localhost');
    expect(await first).toBe('by name');
    const second = nextMessage(receiver);
    sender.send('by ip', receiver.address().port, '127.0.0.1');
    expect(await second).toBe('by ip');

    const receiver6 = await bound('udp6', '::1');
    const sender6 = await bound('udp6', '::1');
    expect(skipIpLiteralLookup(sender6)).toBe(true);
    const third = nextMessage(receiver6);
    sender6.send('v6', receiver6.address().port, '::1');
    expect(await third).toBe('v6');
  });
});
