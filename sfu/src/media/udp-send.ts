import type { Socket } from 'node:dgram';
import { internalsChecked, socketState } from './node-internals.ts';

/**
 * `socket.send(packet, port, address)` for an IP literal on a bound,
 * unconnected socket, straight to the native handle. Per datagram Node's
 * `send` (Node 20, lib/dgram.js) re-parses its arguments, builds a buffer
 * list, a closure for the address lookup, an async-id scope and a native
 * request object, which only matters when the kernel cannot take the
 * datagram at once (the handle's `uv_udp_try_send` then queues it). Here one
 * request object and one list are reused for as long as datagrams go out
 * synchronously; a queued datagram keeps its request (and the packet, through
 * it), and the next send takes a new one.
 *
 * The hooks are Node internals: the socket's `state symbol` property (its
 * handle, bind and connect state) and the `SendWrap` constructor of the
 * `udp_wrap` binding. They are used on Node 20 only, where the handle's
 * arguments were read (src/udp_wrap.cc checks them with CHECKs that abort);
 * without them, on other versions, or for anything but a plain bound socket,
 * this is `socket.send`.
 */

/** lib/dgram.js: BIND_STATE_BOUND, CONNECT_STATE_DISCONNECTED. */
const BOUND = 2;
const DISCONNECTED = 0;

interface SendRequest {
  list?: Buffer[];
}

interface HandleInternals {
  /** UDPWrap.send (send6 on a udp6 socket): msg_size + 1 if sent, 0 if queued, < 0 on error. */
  send(
    req: SendRequest,
    list: Buffer[],
    count: number,
    port: number,
    address: string,
    hasCallback: boolean,
  ): number;
}

interface StateInternals {
  handle: HandleInternals | null;
  bindState: number;
  connectState: number;
}

function sendWrapConstructor(): (new () => SendRequest) | undefined {
  if (!internalsChecked) return undefined;
  try {
    const binding = (
      process as unknown as { binding(name: string): { SendWrap?: unknown } }
    ).binding('udp_wrap');
    return typeof binding.SendWrap === 'function'
      ? (binding.SendWrap as new () => SendRequest)
      : undefined;
  } catch {
    return undefined;
  }
}

const SendWrap = sendWrapConstructor();
let request: SendRequest | undefined = SendWrap ? new SendWrap() : undefined;
const list: Buffer[] = [Buffer.alloc(0)];
const empty = Buffer.alloc(0);
const stateOf = (socket: Socket) => socketState<StateInternals>(socket);

/** Whether `sendDatagram` can take the direct route on `socket` as it is now. */
export function sendsDirectly(socket: Socket): boolean {
  const state = stateOf(socket);
  return (
    request !== undefined &&
    state !== undefined &&
    state.handle !== null &&
    typeof state.handle?.send === 'function' &&
    state.bindState === BOUND &&
    state.connectState === DISCONNECTED
  );
}

/**
 * Sends `packet` to `address` (an IP literal: no lookup is made) and `port`
 * as `socket.send` without a callback does: errors are dropped, and a closed
 * socket throws.
 */
export function sendDatagram(socket: Socket, packet: Buffer, port: number, address: string): void {
  const req = request;
  const state = req && stateOf(socket);
  const handle = state?.handle;
  if (
    !req ||
    !handle ||
    state.bindState !== BOUND ||
    state.connectState !== DISCONNECTED ||
    // The native side CHECKs (aborts on) a port that is no Uint32 and an address that is no string.
    !(port > 0 && port <= 0xffff && (port | 0) === port) ||
    typeof address !== 'string'
  ) {
    socket.send(packet, port, address);
    return;
  }
  list[0] = packet;
  const result = handle.send(req, list, 1, port, address, false);
  list[0] = empty;
  if (result >= 1) return;
  // Queued (0): the request is the native send's now, and keeps the packet alive till it goes.
  // An error (< 0) is dropped, as `send` without a callback drops it; a fresh request either way.
  if (result === 0) req.list = [packet];
  request = SendWrap ? new SendWrap() : undefined;
}
