import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { errors } from '../contracts/common.js';
import { clientIp } from '../http/client-ip.js';
import { requireActor, requireSession } from '../http/plugins/auth.js';
import { isAdmin } from '../kernel/actor.js';
import { AppError } from '../kernel/errors.js';
import type { LiveHub, LiveStream, StreamRefusal } from './live-hub.js';
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
        response: { ...errors(401, 429, 503) },
      },
    },
    async (request, reply) => {
      const actor = requireActor(request);
      const { row, token } = requireSession(request);
      const sessionId = row.id;
      const raw = reply.raw;
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
      // Nothing awaited since the session check: the slot is taken before another open can look.
      const refusal = hub.admit(stream);
      if (refusal) throw streamRefused(refusal);

      reply.hijack();
      // A stream is quiet between heartbeats by design; the idle timeout is for requests and
      // stalled downloads, not for it. (Node's request timeout ends once the GET has arrived.)
      request.raw.socket.setTimeout(0);
      raw.writeHead(200, {
        // Hijacked: what the hooks set on the reply (security headers, CORS for a protected
        // app's page) is not written for us.
        ...definedHeaders(reply.getHeaders()),
        'content-type': 'text/event-stream; charset=utf-8',
        'cache-control': 'no-store',
        connection: 'keep-alive',
        'x-accel-buffering': 'no',
      });
      const heartbeat = setInterval(async () => {
        const check = await sessions
          .validateSessionToken(token, { ip: clientIp(request), touch: false })
          .catch(() => undefined);
        if (check && !check.ok) {
          stream.send('session-ended', { reason: check.reason });
          stream.close();
        } else if (check?.ok && isAdmin(check.actor) !== stream.isAdmin) {
          // The role changed: the stream's scope (the org's changes, or only the user's own) was
          // the old role's. The client reconnects and gets the new one's.
          stream.close();
        } else if (open) {
          raw.write(': ping\n\n');
        }
      }, STREAM_HEARTBEAT_MS);
      heartbeat.unref();
      raw.on('close', () => stream.close());
      // A client that hung up before we listened would otherwise keep its slot forever.
      if (raw.destroyed) stream.close();
      // Tells the client the stream is live, and how long to wait before reconnecting.
      raw.write('retry: 2000\n\n');
      stream.send('ready', { sessionId });
    },
  );
};

function definedHeaders(headers: Record<string, number | string | string[] | undefined>) {
  return Object.fromEntries(Object.entries(headers).filter(([, value]) => value !== undefined)) as Record<
    string,
    number | string | string[]
  >;
}

/** Seconds a client refused for want of room on this instance should wait (or try another). */
const BUSY_RETRY_AFTER_SECONDS = 10;

/**
 * Too many streams of one session or user is the client's doing: 429. A full instance is not,
 * and another instance may have room: 503 with Retry-After, which load balancers understand.
 */
function streamRefused({ limit, max }: StreamRefusal): AppError {
  if (limit === 'perSession') {
    return new AppError(
      'RATE_LIMITED',
      `Too many open event streams for this session (at most ${max}); close another tab`,
    );
  }
  if (limit === 'perUser') {
    return new AppError(
      'RATE_LIMITED',
      `Too many open event streams for this user (at most ${max}); close tabs or log out elsewhere`,
    );
  }
  return new AppError(
    'SERVER_BUSY',
    `This server holds as many event streams as it can (${max}); try again shortly`,
    { 'retry-after': String(BUSY_RETRY_AFTER_SECONDS) },
  );
}
