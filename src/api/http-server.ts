// The API's HTTP server (Fastify's serverFactory): a deadline for receiving each whole request, so
// a body trickled one byte at a time cannot hold a connection for ever, and a cap on the
// connections one client address may hold open at once.
import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import { ApiError } from '../errors.ts';

export interface HttpServerOptions {
  /** Headers and body of one request must arrive within this (Node's requestTimeout). */
  requestTimeoutSeconds: number;
  maxConnectionsPerAddress: number;
  maxHeaderSize: number;
}

type Handler = (req: IncomingMessage, res: ServerResponse) => void;

export function createHttpServer(handler: Handler, opts: HttpServerOptions): Server {
  const timeoutMs = opts.requestTimeoutSeconds * 1000;
  const server = createServer(
    {
      requestTimeout: timeoutMs,
      // Node refuses a headers timeout above the request timeout.
      headersTimeout: Math.min(60_000, timeoutMs),
      // How often Node looks for requests past their deadline (its default, 30 s, would let a
      // short deadline run up to 30 s over).
      connectionsCheckingInterval: Math.min(1000, timeoutMs),
      maxHeaderSize: opts.maxHeaderSize,
    },
    handler,
  );
  limitConnectionsPerAddress(server, opts.maxConnectionsPerAddress);
  return server;
}

function limitConnectionsPerAddress(server: Server, limit: number): void {
  const open = new Map<string, number>();
  // Before the HTTP machinery sees the socket, so a refused connection is answered by us only.
  server.prependListener('connection', (socket: Socket) => {
    const address = socket.remoteAddress ?? '';
    const count = (open.get(address) ?? 0) + 1;
    if (count > limit) {
      const err = new ApiError('too_many_connections', { limit });
      const body = JSON.stringify({ api_id: randomUUID(), error: err.message, code: err.code });
      socket.end(
        `HTTP/1.1 429 Too Many Requests\r\nContent-Type: application/json; charset=utf-8\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
      );
      socket.destroySoon();
      return;
    }
    open.set(address, count);
    socket.once('close', () => {
      const left = (open.get(address) ?? 1) - 1;
      if (left <= 0) open.delete(address);
      else open.set(address, left);
    });
  });
}
