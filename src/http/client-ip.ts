import { isIP, isIPv4 } from 'node:net';
import type { FastifyRequest } from 'fastify';
import { normalizeIp } from '../kernel/ip.js';

/**
 * The caller's public IP: Fastify's answer under TRUST_PROXY, canonical. A trusted proxy can
 * still relay junk in X-Forwarded-For; then the socket address is the only fact we have.
 */
export function clientIp(request: FastifyRequest): string {
  // The common case, a plain IPv4 address, is already canonical: skip the parser on the hot path.
  if (isIPv4(request.ip)) return request.ip;
  const forwarded = normalizeIp(request.ip);
  if (isIP(forwarded) !== 0) return forwarded;
  return normalizeIp(request.socket.remoteAddress ?? '') || 'unknown';
}
