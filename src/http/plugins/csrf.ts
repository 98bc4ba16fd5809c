import type { FastifyInstance, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import { AppError } from '../../kernel/errors.js';

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);
// `none` is a navigation the user started (typed URL, bookmark), which no other site can cause.
const SAME_SITE_FETCH = new Set(['same-origin', 'none']);

declare module 'fastify' {
  interface FastifyContextConfig {
    /**
     * `always`: check a GET or HEAD too, for a read with a side effect (the export records an
     * activity). A SameSite=Lax cookie rides along on a cross-site link, and on any request from a
     * sibling subdomain, so such a GET could be run in a victim's name.
     */
    csrf?: 'always';
  }
}

/**
 * Why the request did not come from a page of our own origin, or undefined when it did or when
 * no browser sent it. Origin is compared when present; else Sec-Fetch-Site (every current browser
 * sends it); else, for older browsers, the Referer's origin. A request with none of them comes
 * from a non-browser client (curl, a script), which a cross-site page cannot make.
 */
function crossSiteReason(request: FastifyRequest): string | undefined {
  const own = `${request.protocol}://${request.host}`;
  const origin = request.headers.origin;
  if (origin !== undefined) return origin === own ? undefined : 'Origin does not match';
  const site = request.headers['sec-fetch-site'];
  if (typeof site === 'string') return SAME_SITE_FETCH.has(site) ? undefined : 'Sec-Fetch-Site';
  const referer = request.headers.referer;
  // Through URL on both sides: a Referer never carries a default port, a Host header may.
  if (referer !== undefined)
    return originOf(referer) === originOf(own) ? undefined : 'Referer does not match';
  return undefined;
}

function originOf(url: string): string | undefined {
  try {
    return new URL(url).origin;
  } catch {
    return undefined;
  }
}

/**
 * OWASP's "verify origin with standard headers": a state-changing request must come from our
 * own origin. Requests carrying only an API key (no cookie) are not CSRF-able and skip the check.
 */
export const csrfPlugin = fp(
  async (app: FastifyInstance) => {
    app.addHook('onRequest', async (request) => {
      if (SAFE_METHODS.has(request.method) && request.routeOptions.config.csrf !== 'always') return;
      if (request.headers.authorization && !request.headers.cookie) return;
      // Such a route reads no cookie, so a request another site makes rides on nothing of the user's.
      if (request.routeOptions.config.auth === 'api-key') return;
      const reason = crossSiteReason(request);
      if (reason) throw new AppError('CSRF_FAILED', `Cross-site request refused (${reason})`);
    });
    // A cross-site <form> can post text/plain without a preflight; we only ever accept JSON.
    app.removeContentTypeParser('text/plain');
  },
  { name: 'csrf' },
);
