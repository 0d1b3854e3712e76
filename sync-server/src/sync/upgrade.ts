import type { ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import type { FastifyRequest } from 'fastify';
import type { WebSocket } from 'ws';

/**
 * Lets go of the HTTP upgrade once the socket is a WebSocket. As
 * `@fastify/websocket` leaves it, the request lives as long as the socket
 * (about 2 KiB each, headers included): its `error` listener closes over the
 * request and the reply, and the TCP socket still points at the response it
 * made for routing. The caller adds its own `error` listener at once.
 */
export function releaseUpgrade(ws: WebSocket, request: FastifyRequest): void {
  ws.removeAllListeners('error');
  const tcp = request.raw.socket as Socket & { _httpMessage?: ServerResponse | null };
  const response = tcp._httpMessage;
  if (response) response.detachSocket(tcp);
}
