import type { FastifyInstance } from 'fastify';

/**
 * How long in-flight requests may take to finish once the app is closing. Shorter than the
 * shutdown deadline (server-shutdown.ts), so the pending last-access times are still written.
 */
export const DRAIN_GRACE_MS = 3_000;
/** How often, while closing, connections that have gone idle are closed. */
const IDLE_SWEEP_MS = 50;

/**
 * Lets `app.close()` finish while clients hold keep-alive connections. Node's `server.close()`
 * closes the connections idle at that moment and waits for the others, and one whose request
 * finishes later stays open for the whole keep-alive timeout. So while closing, every answer says
 * `Connection: close`, connections are closed once idle, and after DRAIN_GRACE_MS those still busy
 * are cut (logged): a request that hangs cannot hold the shutdown.
 */
export function drainConnectionsOnClose(app: FastifyInstance, options = { graceMs: DRAIN_GRACE_MS }): void {
  let draining = false;
  let sweep: NodeJS.Timeout | undefined;
  let cut: NodeJS.Timeout | undefined;

  app.addHook('onSend', (_request, reply, payload, done) => {
    if (draining) reply.header('connection', 'close');
    done(null, payload);
  });
  app.addHook('preClose', (done) => {
    draining = true;
    sweep = setInterval(() => app.server.closeIdleConnections(), IDLE_SWEEP_MS);
    cut = setTimeout(() => {
      app.log.warn(
        `requests still running after ${options.graceMs} ms of shutdown; closing their connections`,
      );
      app.server.closeAllConnections();
    }, options.graceMs);
    done();
  });
  app.addHook('onClose', (_instance, done) => {
    clearInterval(sweep);
    clearTimeout(cut);
    done();
  });
}
