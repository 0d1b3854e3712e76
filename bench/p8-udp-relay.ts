/**
 * P8 baseline: a bare UDP relay. Each socket says `join:<room>` once; every
 * later datagram goes to the other members of its room. No ICE, DTLS or
 * SRTP: the floor of what forwarding costs per stream in Node.
 */
import { createSocket, type RemoteInfo } from 'node:dgram';

const socket = createSocket('udp4');
const rooms = new Map<string, RemoteInfo[]>();
const roomOf = new Map<string, string>();
const key = (r: RemoteInfo) => `${r.address}:${r.port}`;

socket.on('message', (msg, from) => {
  const k = key(from);
  const room = roomOf.get(k);
  if (room === undefined) {
    const text = msg.toString();
    if (!text.startsWith('join:')) return;
    const name = text.slice(5);
    roomOf.set(k, name);
    rooms.set(name, [...(rooms.get(name) ?? []), from]);
    return;
  }
  for (const peer of rooms.get(room) ?? [])
    if (peer.port !== from.port || peer.address !== from.address)
      socket.send(msg, peer.port, peer.address);
});

socket.bind(0, '127.0.0.1', () => console.log(`relay listening ${socket.address().port}`));
process.once('SIGTERM', () => socket.close(() => process.exit(0)));
