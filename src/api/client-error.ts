// Answers requests Node's HTTP parser refused before Fastify saw them (header overflow, bad header
// characters, CL+TE, a body not received in time) with the same {api_id, error, code} envelope as
// every other error. Node's error carries the raw bytes received (err.rawPacket): they may hold an
// Authorization header or a body with a password, so only the error code is ever logged.
import { randomUUID } from 'node:crypto';
import type { Socket } from 'node:net';
import type { FastifyInstance } from 'fastify';
import { ApiError } from '../errors.ts';

const REASONS: Record<string, string> = {
  HPE_INVALID_HEADER_TOKEN: 'a header name or value holds a character HTTP does not allow',
  HPE_INVALID_TRANSFER_ENCODING: 'Transfer-Encoding is invalid or sent with Content-Length',
  HPE_UNEXPECTED_CONTENT_LENGTH: 'Content-Length sent with Transfer-Encoding',
  HPE_INVALID_CONTENT_LENGTH: 'Content-Length is invalid',
  HPE_INVALID_METHOD: 'unknown method',
  HPE_INVALID_URL: 'the request target is invalid',
  HPE_INVALID_VERSION: 'the HTTP version is invalid',
  HPE_INVALID_CHUNK_SIZE: 'a chunk size is invalid',
  HPE_LF_EXPECTED: 'a line does not end with CRLF',
  HPE_CR_EXPECTED: 'a line does not end with CRLF',
  HPE_STRICT: 'the request violates HTTP syntax',
};

export function clientErrorFor(
  code: string | undefined,
  opts: { headerLimit: number; timeoutSeconds: number },
) {
  if (code === 'HPE_HEADER_OVERFLOW')
    return new ApiError('request_header_too_large', { limit: opts.headerLimit });
  if (code === 'ERR_HTTP_REQUEST_TIMEOUT')
    return new ApiError('request_timeout', { seconds: opts.timeoutSeconds });
  return new ApiError('malformed_request', { reason: REASONS[code ?? ''] ?? 'the HTTP parser refused it' });
}

/** Fastify's clientErrorHandler option (called with the instance as `this`). */
export function clientErrorHandler(opts: { headerLimit: number; timeoutSeconds: number }) {
  return function onClientError(this: FastifyInstance, err: NodeJS.ErrnoException, socket: Socket): void {
    if (err.code === 'ECONNRESET' || socket.destroyed) return;
    // A response already under way cannot be followed by another one (Node's own default).
    if ((socket as { _httpMessage?: { headersSent?: boolean } })._httpMessage?.headersSent) {
      socket.destroy();
      return;
    }
    const apiError = clientErrorFor(err.code, opts);
    const apiId = randomUUID();
    this.log.debug(
      { api_id: apiId, code: err.code, status: apiError.status },
      'malformed HTTP request refused',
    );
    if (socket.writable) {
      const body = JSON.stringify({ api_id: apiId, error: apiError.message, code: apiError.code });
      socket.write(
        `HTTP/1.1 ${apiError.status} ${statusText(apiError.status)}\r\nContent-Type: application/json; charset=utf-8\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
      );
    }
    socket.destroy();
  };
}

function statusText(status: number): string {
  return (
    { 400: 'Bad Request', 408: 'Request Timeout', 431: 'Request Header Fields Too Large' }[status] ?? 'Error'
  );
}
