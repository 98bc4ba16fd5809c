import { existsSync } from 'node:fs';
import type { ServerResponse } from 'node:http';
import { dirname, extname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import fastifyStatic from '@fastify/static';
import type { FastifyInstance, FastifyReply } from 'fastify';
import fp from 'fastify-plugin';
import { CLIENT_HINT_HEADERS } from '../../sessions/client-info.js';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
/** The React app as `vite build` leaves it (web/vite.config.ts). */
export const WEB_ROOT = join(ROOT, 'web', 'dist');

const ACCEPT_CH = CLIENT_HINT_HEADERS.join(', ');
// File names under assets/ carry a content hash: a changed file is a new URL, so cache "forever".
const IMMUTABLE = 'public, max-age=31536000, immutable';
// The page itself must be revalidated every time, or a deploy would keep serving old asset names.
const REVALIDATE = 'no-cache';
const SHORT = 'public, max-age=3600';

function cacheHeaders(res: ServerResponse, path: string): void {
  const file = path.replaceAll('\\', '/');
  if (file.endsWith('.html')) {
    res.setHeader('cache-control', REVALIDATE);
    // Asks browsers for the User-Agent Client Hints that refine OS details (e.g. Windows 11 vs 10).
    res.setHeader('accept-ch', ACCEPT_CH);
  } else if (file.includes('/assets/')) {
    res.setHeader('cache-control', IMMUTABLE);
  } else {
    res.setHeader('cache-control', SHORT);
  }
}

/** Paths the single-page app routes itself (/sessions, /activity?...): anything but the API and files. */
function isAppRoute(url: string): boolean {
  const path = url.split('?', 1)[0] ?? '/';
  return !path.startsWith('/api/') && path !== '/api' && extname(path) === '';
}

/**
 * Serves the web UI from web/dist: hashed assets with a long cache, index.html with no-cache and
 * Accept-CH, and index.html again for every other GET outside /api so the app's own URLs reload.
 */
export const staticWebPlugin = fp(
  async (app: FastifyInstance) => {
    if (!existsSync(join(WEB_ROOT, 'index.html'))) {
      app.log.warn(`web UI not built (${WEB_ROOT} is missing): run "npm run build"`);
      return;
    }
    await app.register(fastifyStatic, {
      root: WEB_ROOT,
      // One route per built file (listed at start) instead of a catch-all, which is ours below.
      wildcard: false,
      // The build writes .br and .gz twins; browsers that accept them get ~4x fewer bytes.
      preCompressed: true,
      cacheControl: false,
      // @fastify/static hands this the raw ServerResponse, not the Fastify reply.
      setHeaders: cacheHeaders,
    });

    const sendApp = (reply: FastifyReply) => reply.sendFile('index.html');
    app.get('/*', { schema: { hide: true } }, async (request, reply) => {
      if (!isAppRoute(request.url)) return reply.callNotFound();
      return sendApp(reply);
    });
  },
  { name: 'static-web' },
);
