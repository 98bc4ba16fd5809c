import cors from '@fastify/cors';
import type { FastifyInstance } from 'fastify';
import type { AllowedHosts } from './allowed-hosts.js';

/**
 * The routes a protected app's page calls from its own origin, with the session cookie: the
 * session's event stream and the check session.js makes when the stream closes. Every other
 * route stays same-origin only.
 */
const CROSS_ORIGIN_ROUTES = new Set(['/api/sessions/stream', '/api/auth/verify']);

/** CORS with credentials on those routes, for the origins of ALLOWED_REDIRECT_HOSTS only. */
export async function registerCors(app: FastifyInstance, allowed: AllowedHosts): Promise<void> {
  await app.register(cors, {
    hook: 'onRequest',
    delegator: (request, callback) => {
      const pattern = request.routeOptions.url;
      const origin = request.headers.origin;
      // A vault served over HTTPS answers HTTPS pages only: a plain-HTTP page could be anyone's.
      const sameScheme = request.protocol !== 'https' || origin?.startsWith('https://') === true;
      const open =
        pattern !== undefined && CROSS_ORIGIN_ROUTES.has(pattern) && sameScheme && allowed.originHost(origin);
      // Simple GETs with no custom headers: nothing a browser would send a preflight for.
      callback(null, {
        origin: open ? origin : false,
        credentials: true,
        methods: ['GET', 'HEAD'],
        preflight: false,
      });
    },
  });
}
