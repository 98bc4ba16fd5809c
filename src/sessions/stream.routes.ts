import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { isAdmin } from '../accounts/actor.js';
import { clientIp } from '../http/client-ip.js';
import { requireActor, requireSession } from '../http/plugins/auth.js';
import { errors } from '../http/schemas.js';
import type { LiveHub, LiveStream } from './live-hub.js';
import type { SessionService } from './sessions.service.js';

/** Keeps proxies from closing an idle stream, and re-checks the session in case a notice was lost. */
export const STREAM_HEARTBEAT_MS = 15_000;

interface StreamRoutesOptions {
  sessions: SessionService;
  hub: LiveHub;
}

export const streamRoutes: FastifyPluginAsyncTypebox<StreamRoutesOptions> = async (
  app,
  { sessions, hub },
) => {
  app.get(
    '/api/sessions/stream',
    {
      schema: {
        tags: ['sessions'],
        summary:
          'Server-Sent Events: `session-ended` to an ended session, `sessions-changed` to lists that show it',
        response: { ...errors(401) },
      },
    },
    async (request, reply) => {
      const actor = requireActor(request);
      const { row, token } = requireSession(request);
      const sessionId = row.id;
      reply.hijack();
      const raw = reply.raw;
      raw.writeHead(200, {
        'content-type': 'text/event-stream; charset=utf-8',
        'cache-control': 'no-store',
        connection: 'keep-alive',
        'x-accel-buffering': 'no',
      });
      let open = true;
      const stream: LiveStream = {
        sessionId,
        userId: row.userId,
        orgId: actor.orgId,
        isAdmin: isAdmin(actor),
        send(event, data) {
          if (open) raw.write(`event: ${event}\ndata: ${JSON.stringify(data)}\n\n`);
        },
        close() {
          if (!open) return;
          open = false;
          clearInterval(heartbeat);
          hub.remove(stream);
          raw.end();
        },
      };
      const heartbeat = setInterval(async () => {
        const check = await sessions
          .validateSessionToken(token, { ip: clientIp(request), touch: false })
          .catch(() => undefined);
        if (check && !check.ok) {
          stream.send('session-ended', { reason: check.reason });
          stream.close();
        } else if (open) {
          raw.write(': ping\n\n');
        }
      }, STREAM_HEARTBEAT_MS);
      heartbeat.unref();
      raw.on('close', () => stream.close());
      hub.add(stream);
      // Tells the client the stream is live, and how long to wait before reconnecting.
      raw.write('retry: 2000\n\n');
      stream.send('ready', { sessionId });
    },
  );
};
