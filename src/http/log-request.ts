import type { FastifyRequest } from 'fastify';
import { type ForwardedRequest, forwardedRequest } from './forwarded-request.js';

/**
 * How a request appears in the "incoming request" log line: Fastify's fields, plus, for a proxy's
 * forward-auth check, the method, host and URI of the request it asked about, so the log shows
 * where each session went. The path only: an app's query string may hold a secret (a reset token).
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
    ...(forwarded ? { forwarded: withoutQuery(forwardedRequest(request)) } : {}),
  };
}

function withoutQuery(forwarded: ForwardedRequest): ForwardedRequest {
  return { ...forwarded, uri: forwarded.uri?.split('?', 1)[0] };
}
