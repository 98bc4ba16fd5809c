import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import fastifyStatic from '@fastify/static';
import type { FastifyInstance } from 'fastify';
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
// Files the build stores with .br and .gz twins (web/vite.config.ts).
const COMPRESSIBLE = /\.(js|css|html|svg|json)$/;
// The pages the React app routes itself (web/src/App.tsx); a reload of any of them gets the app.
const APP_ROUTES = new Set([
  '/',
  '/login',
  '/sessions',
  '/activity',
  '/users',
  '/api-keys',
  '/streams',
  '/sso',
  '/settings',
]);
// One session's page (/sessions/<id>), so a link to it survives a reload or a new tab.
const SESSION_PAGE =
  /^\/sessions\/[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$/;
// A file at the top of web/dist (favicon.svg, ...): one path segment with an extension, no dot-dot.
const TOP_LEVEL_FILE = /^\/[A-Za-z0-9_-][A-Za-z0-9_.-]*\.[A-Za-z0-9]+$/;

/** The part of the response `setHeaders` gets (a raw ServerResponse at run time). */
interface HeaderTarget {
  setHeader(name: string, value: string): unknown;
}

function cacheHeaders(res: HeaderTarget, path: string): void {
  // With preCompressed, `path` may be the .br or .gz twin of the file asked for.
  const file = path.replaceAll('\\', '/').replace(/\.(br|gz)$/, '');
  if (COMPRESSIBLE.test(file)) res.setHeader('vary', 'accept-encoding');
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

/** Reads the page, or nothing when the file is gone (a rebuild swapping web/dist in). */
async function readPage(webRoot: string): Promise<Buffer | undefined> {
  try {
    return await readFile(join(webRoot, 'index.html'));
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
}

export interface StaticWebOptions {
  /** Where the built app is; web/dist unless a test serves another. */
  webRoot?: string;
}

/**
 * Serves the web UI from web/dist: hashed assets with a long cache, index.html with no-cache and
 * Accept-CH for the app's own URLs (/sessions, /sessions/<id>, /activity?..., so they survive a reload). Any other
 * path is a 404: the app's "Page not found" for a browser, the API's JSON error for anyone else.
 * Files are looked up per request: a rebuild needs no restart, and a file that disappears under a
 * running server (another checkout's build swapping web/dist) is a 404, never an error.
 */
export const staticWebPlugin = fp(
  async (app: FastifyInstance, options: StaticWebOptions) => {
    const webRoot = options.webRoot ?? WEB_ROOT;
    if (!existsSync(join(webRoot, 'index.html'))) {
      app.log.warn(`web UI not built (${webRoot} is missing): run "npm run build"`);
      return;
    }
    await app.register(fastifyStatic, {
      root: join(webRoot, 'assets'),
      prefix: '/assets/',
      // The build writes .br and .gz twins; browsers that accept them get ~4x fewer bytes.
      preCompressed: true,
      cacheControl: false,
      index: false,
      // @fastify/static hands this the raw ServerResponse, not the Fastify reply.
      setHeaders: cacheHeaders,
    });

    app.get('/*', { schema: { hide: true } }, async (request, reply) => {
      const path = request.url.split('?', 1)[0] ?? '/';
      if (APP_ROUTES.has(path) || SESSION_PAGE.test(path)) return reply.sendFile('index.html', webRoot);
      if (TOP_LEVEL_FILE.test(path) && existsSync(join(webRoot, path))) {
        return reply.sendFile(path.slice(1), webRoot);
      }
      const wantsPage = request.headers.accept?.includes('text/html') && !path.startsWith('/api/');
      const page = wantsPage ? await readPage(webRoot) : undefined;
      if (!page) return reply.callNotFound();
      return reply
        .code(404)
        .type('text/html; charset=utf-8')
        .header('cache-control', REVALIDATE)
        .header('accept-ch', ACCEPT_CH)
        .send(page);
    });
  },
  { name: 'static-web' },
);
