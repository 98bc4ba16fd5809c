import type { FastifyInstance } from 'fastify';
import type { SessionService } from './sessions.service.js';

const SWEEP_EVERY_MS = 60_000;
const SWEEP_BATCH = 5_000;
/** At most this many batches a run, so a backlog (a first start after the upgrade) is worked off over a few minutes. */
const MAX_BATCHES_PER_RUN = 20;

/**
 * Every minute, in the server process: endings an instance left unwritten are written into their
 * rows (EndingWriter), then sessions that ran out are marked ended (sweepEndedSessions).
 * Every instance runs it; the update is idempotent, so two at once only share the work.
 */
export function scheduleSessionSweep(app: FastifyInstance, sessions: SessionService): void {
  const run = async () => {
    try {
      await sessions.writePendingEndings();
      for (let i = 0; i < MAX_BATCHES_PER_RUN; i++) {
        if ((await sessions.sweepEndedSessions(SWEEP_BATCH)) < SWEEP_BATCH) break;
      }
    } catch (error) {
      app.log.warn({ err: error }, 'could not mark ended sessions; will try again in a minute');
    }
  };
  const timer = setInterval(run, SWEEP_EVERY_MS);
  timer.unref();
  app.addHook('onClose', async () => clearInterval(timer));
}
