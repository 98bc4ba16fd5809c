import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Config } from '../kernel/config.js';

/** The session cookie's name over plain HTTP (a laptop, a LAN). */
export const SESSION_COOKIE = 'vault_session';

/**
 * Its name over HTTPS. A browser keeps a `__Host-` cookie only if it is Secure, Path=/ and has no
 * Domain, so neither a sibling subdomain nor a plain-HTTP page can plant or overwrite it.
 */
export const HOST_SESSION_COOKIE = `__Host-${SESSION_COOKIE}`;

/** The one place that decides the session cookie's name and attributes for a request. */
export interface SessionCookies {
  /** Whether this request's session cookie is Secure (and so `__Host-` prefixed). */
  isSecure(request: FastifyRequest): boolean;
  name(request: FastifyRequest): string;
  /**
   * The token, from the cookie of this request's name only. Over HTTPS a plain `vault_session`
   * is ignored: anyone who can set cookies for a sibling host can set that one.
   */
  read(request: FastifyRequest): string | undefined;
  set(request: FastifyRequest, reply: FastifyReply, token: string): void;
  clear(request: FastifyRequest, reply: FastifyReply): void;
}

export function sessionCookies(policy: Config['cookieSecure']): SessionCookies {
  const isSecure = (request: FastifyRequest) => (policy === 'auto' ? request.protocol === 'https' : policy);
  const name = (request: FastifyRequest) => (isSecure(request) ? HOST_SESSION_COOKIE : SESSION_COOKIE);
  // No Max-Age: a browser-session cookie, forgotten when the browser closes. No Domain, ever.
  const attributes = (request: FastifyRequest) =>
    ({ path: '/', httpOnly: true, sameSite: 'lax', secure: isSecure(request) }) as const;
  return {
    isSecure,
    name,
    read: (request) => request.cookies[name(request)] || undefined,
    set: (request, reply, token) => {
      reply.setCookie(name(request), token, attributes(request));
    },
    clear: (request, reply) => {
      // A __Host- cookie is only replaced by one with the same attributes, Secure included.
      reply.clearCookie(name(request), attributes(request));
    },
  };
}
