import type { FastifyRequest } from 'fastify';
import { forwardedRequest } from './forwarded-request.js';

/**
 * How a request appears in the "incoming request" log line: Fastify's fields, plus, for a proxy's
 * forward-auth check, the method, host and URI of the request it asked about, so the log shows
 * where each session went.
 */
export function serializeRequest(request: FastifyRequest) {
  const forwarded =
    request.headers['x-forwarded-host'] ||
    request.headers['x-original-uri'] ||
    request.headers['x-forwarded-uri'];
  return {
    method: request.method,
    url: request.url,
    host: request.host,
    remoteAddress: request.ip,
    remotePort: request.socket?.remotePort,
    ...(forwarded ? { forwarded: forwardedRequest(request) } : {}),
  };
}
