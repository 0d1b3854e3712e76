/**
 * The sync protocol version. A client that sends another one is closed with
 * `CloseCode.clientTooOld` (or `serverTooOld`) and must reload.
 *
 * 1: first version — auth, mutate, history, presence, typing.
 */
export const PROTOCOL_VERSION = 1;
