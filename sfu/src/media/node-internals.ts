import type { Socket } from 'node:dgram';

/**
 * Whether this is the Node major version whose internals the forward path's
 * shortcuts were read against (Node 20). Some of them abort the process on a
 * wrong call instead of throwing, so other versions take the public API.
 */
export const internalsChecked = process.versions.node.split('.')[0] === '20';

/** The socket state's symbol (one for every socket), once found; null if sockets have none. */
let stateSymbol: symbol | null | undefined;

/**
 * A dgram socket's internal state (lib/dgram.js: the `state symbol`
 * property holding its handle, bind and connect state), or undefined if
 * sockets carry none. Shaped by the caller, which checks what it reads.
 */
export function socketState<T>(socket: Socket): T | undefined {
  if (stateSymbol === undefined)
    stateSymbol =
      Object.getOwnPropertySymbols(socket).find((s) => s.description === 'state symbol') ?? null;
  if (stateSymbol === null) return undefined;
  return (socket as unknown as Record<symbol, T | undefined>)[stateSymbol];
}
