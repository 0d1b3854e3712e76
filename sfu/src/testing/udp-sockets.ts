import { afterEach } from 'vitest';
import { createSocket, type Socket } from 'node:dgram';

/**
 * UDP sockets for a test file, closed after each test: `bound` opens one on
 * a free port of `address`; `track` adds one opened elsewhere (unbound).
 */
export function udpSockets(): {
  bound: (type: 'udp4' | 'udp6', address: string) => Promise<Socket>;
  track: (socket: Socket) => Socket;
} {
  const sockets: Socket[] = [];
  afterEach(() => {
    for (const s of sockets.splice(0))
      try {
        s.close();
      } catch {
        // already closed by the test
      }
  });
  const track = (socket: Socket) => {
    sockets.push(socket);
    return socket;
  };
  return {
    track,
    bound: async (type, address) => {
      const socket = track(createSocket(type));
      await new Promise<void>((done) => socket.bind(0, address, done));
      return socket;
    },
  };
}
