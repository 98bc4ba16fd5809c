import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import { AppError } from '../errors.js';

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);
const SAME_SITE_FETCH = new Set(['same-origin', 'none']);

/**
 * OWASP's "verify origin with standard headers": a state-changing request must come from our
 * own origin. Browsers always send Origin (or at least Sec-Fetch-Site) on cross-site POST and
 * DELETE; a request with neither comes from a non-browser client, which a CSRF cannot forge.
 * Requests carrying only an API key (no cookie) are not CSRF-able and skip the check.
 */
export const csrfPlugin = fp(
  async (app: FastifyInstance) => {
    app.addHook('onRequest', async (request) => {
      if (SAFE_METHODS.has(request.method)) return;
      if (request.headers.authorization && !request.headers.cookie) return;
      const origin = request.headers.origin;
      if (origin !== undefined) {
        if (origin !== `${request.protocol}://${request.host}`) {
          throw new AppError('CSRF_FAILED', 'Cross-site request refused (Origin does not match)');
        }
        return;
      }
      const site = request.headers['sec-fetch-site'];
      if (typeof site === 'string' && !SAME_SITE_FETCH.has(site)) {
        throw new AppError('CSRF_FAILED', 'Cross-site request refused (Sec-Fetch-Site)');
      }
    });
    // A cross-site <form> can post text/plain without a preflight; we only ever accept JSON.
    app.removeContentTypeParser('text/plain');
  },
  { name: 'csrf' },
);
