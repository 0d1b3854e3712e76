import type { Socket } from 'node:dgram';
import { isIP } from 'node:net';
import { socketState } from './node-internals.ts';

type LookupCallback = (error: Error | null, address?: string, family?: number) => void;

interface HandleInternals {
  lookup: (address: string, callback: LookupCallback) => void;
}

const patched = new WeakSet<Socket>();

/**
 * Node's `dgram` resolves the address of every `send` on an unconnected
 * socket through `dns.lookup`, which for an IP literal answers on the next
 * tick: a closure, a tick and the IP regexes per datagram (Node 20,
 * lib/dgram.js `Socket.prototype.send` → `state.handle.lookup`). werift's ICE
 * sockets only ever send to IP literals (the candidates' addresses), so this
 * answers those at once and leaves names to the original lookup: `send` then
 * goes on to `doSend` synchronously, as it does on a connected socket.
 *
 * The hook is Node's internal socket state (the `state symbol` property and
 * its handle's `lookup`); if that is not there the socket is left alone.
 * Returns whether the socket now skips the lookup.
 */
export function skipIpLiteralLookup(socket: Socket): boolean {
  if (patched.has(socket)) return true;
  const handle = socketState<{ handle?: HandleInternals }>(socket)?.handle;
  const lookup = handle?.lookup;
  if (!handle || typeof lookup !== 'function') return false;
  // The last literal seen: a socket sends to one or a few peers, so isIP rarely runs.
  let known = '';
  handle.lookup = (address, callback) => {
    if (address === known || (typeof address === 'string' && isIP(address) !== 0)) {
      known = address;
      callback(null, address);
    } else lookup.call(handle, address, callback);
  };
  patched.add(socket);
  return true;
}
