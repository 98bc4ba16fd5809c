import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Config } from '../kernel/config.js';

/** The session cookie's name over plain HTTP (a laptop, a LAN). */
export const SESSION_COOKIE = 'vault_session';

/**
 * Its name over HTTPS. A browser keeps a `__Host-` cookie only if it is Secure, Path=/ and has no
 * Domain, so neither a sibling subdomain nor a plain-HTTP page can plant or overwrite it.
 */
export const HOST_SESSION_COOKIE = `__Host-${SESSION_COOKIE}`;

/**
 * Its name over HTTPS with COOKIE_DOMAIN: `__Host-` forbids a Domain, `__Secure-` still keeps a
 * plain-HTTP page from planting it. Siblings under the domain can set it; that is what the operator
 * asked for by naming the domain.
 */
export const SECURE_SESSION_COOKIE = `__Secure-${SESSION_COOKIE}`;

/** The one place that decides the session cookie's name and attributes for a request. */
export interface SessionCookies {
  /** Whether this request's session cookie is Secure (and so `__Host-`, or with a Domain `__Secure-`, prefixed). */
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

export function sessionCookies(
  policy: Config['cookieSecure'],
  domain: Config['cookieDomain'] = undefined,
): SessionCookies {
  const isSecure = (request: FastifyRequest) => (policy === 'auto' ? request.protocol === 'https' : policy);
  const secureName = domain === undefined ? HOST_SESSION_COOKIE : SECURE_SESSION_COOKIE;
  const name = (request: FastifyRequest) => (isSecure(request) ? secureName : SESSION_COOKIE);
  // No Max-Age: a browser-session cookie, forgotten when the browser closes. A Domain only when
  // the operator names one (COOKIE_DOMAIN), for apps on sibling hosts behind forward auth.
  const attributes = (request: FastifyRequest) =>
    ({
      path: '/',
      httpOnly: true,
      sameSite: 'lax',
      secure: isSecure(request),
      ...(domain === undefined ? {} : { domain }),
    }) as const;
  /**
   * With COOKIE_DOMAIN, the host-only cookie a browser kept from before it was set: over plain HTTP
   * it has the same name, is sent first, and an ended one would be read instead of the new one
   * (a login loop). Expired wherever the cookie is set or cleared.
   */
  const forgetHostOnly = (request: FastifyRequest, reply: FastifyReply) => {
    if (domain === undefined) return;
    const secure = isSecure(request);
    reply.clearCookie(secure ? HOST_SESSION_COOKIE : SESSION_COOKIE, {
      path: '/',
      httpOnly: true,
      sameSite: 'lax',
      secure,
    });
  };
  return {
    isSecure,
    name,
    read: (request) => request.cookies[name(request)] || undefined,
    set: (request, reply, token) => {
      reply.setCookie(name(request), token, attributes(request));
      forgetHostOnly(request, reply);
    },
    clear: (request, reply) => {
      // A __Host- cookie is only replaced by one with the same attributes, Secure included.
      reply.clearCookie(name(request), attributes(request));
      forgetHostOnly(request, reply);
    },
  };
}
