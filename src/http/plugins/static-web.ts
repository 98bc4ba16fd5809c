import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import fastifyStatic from '@fastify/static';
import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import { CLIENT_HINT_HEADERS } from '../../sessions/client-info.js';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
const WEB_ROOT = join(ROOT, 'public');

/** Serves the web pages, asking browsers for the User-Agent Client Hints that refine OS details. */
export const staticWebPlugin = fp(
  async (app: FastifyInstance) => {
    if (!existsSync(WEB_ROOT)) return;
    await app.register(fastifyStatic, {
      root: WEB_ROOT,
      wildcard: false,
      // @fastify/static hands this the raw ServerResponse, not the Fastify reply.
      setHeaders: (res, path) => {
        if (path.endsWith('.html')) res.setHeader('accept-ch', CLIENT_HINT_HEADERS.join(', '));
      },
    });
  },
  { name: 'static-web' },
);
