import { STATUS_CODES } from 'node:http';
import type { Socket } from 'node:net';
import type { FastifyInstance } from 'fastify';
import { ERROR_CODES, type ErrorCode, errorBody } from '../kernel/errors.js';

const SOCKET_ERRORS: Record<string, { code: ErrorCode; message: string }> = {
  HPE_HEADER_OVERFLOW: { code: 'HEADERS_TOO_LARGE', message: 'The request headers are too large' },
  ERR_HTTP_REQUEST_TIMEOUT: { code: 'REQUEST_TIMEOUT', message: 'The request took too long to arrive' },
};
const MALFORMED = { code: 'INVALID_INPUT', message: 'Malformed HTTP request' } as const;

/**
 * Node's `clientError`: the request could not even be parsed (headers over 16 KiB, a broken
 * request line), so no route, hook or error handler runs. The answer is written to the socket
 * by hand, in the same `{error:{code,message}}` shape as every other error, and the connection
 * is closed, since nothing after the broken request can be trusted to be framed right.
 */
export function answerClientError(this: FastifyInstance, error: Error & { code?: string }, socket: Socket) {
  // A reset connection has nobody left to answer.
  if (error.code === 'ECONNRESET' || socket.destroyed) return;
  const { code, message } = SOCKET_ERRORS[error.code ?? ''] ?? MALFORMED;
  const status = ERROR_CODES[code];
  const body = JSON.stringify(errorBody(code, message));
  this.log.debug({ err: error }, 'malformed request');
  if (socket.writable) {
    socket.write(
      `HTTP/1.1 ${status} ${STATUS_CODES[status]}\r\n` +
        'Content-Type: application/json; charset=utf-8\r\n' +
        `Content-Length: ${Buffer.byteLength(body)}\r\n` +
        'Connection: close\r\n\r\n' +
        body,
    );
  }
  socket.destroy(error);
}
