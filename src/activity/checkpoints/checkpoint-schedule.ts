import type { FastifyInstance } from 'fastify';
import { MINUTE_MS } from '../../kernel/time.js';
import type { CheckpointService } from './checkpoints.service.js';

/** How often the heads are signed: a rewrite can hide at most the rows appended since the last one. */
export const CHECKPOINT_EVERY_MS = 5 * MINUTE_MS;

/**
 * Every few minutes, in the server process: signs each org's head that moved since its last
 * checkpoint. Every instance runs it; a head signed by two at once is stored once.
 */
export function scheduleCheckpoints(app: FastifyInstance, checkpoints: CheckpointService): void {
  const run = async () => {
    try {
      const signed = await checkpoints.signHeads();
      if (signed > 0) app.log.debug({ signed }, 'checkpoints: signed chain heads');
    } catch (error) {
      app.log.warn({ err: error }, 'could not sign the chain heads; will try again in a few minutes');
    }
  };
  const timer = setInterval(run, CHECKPOINT_EVERY_MS);
  timer.unref();
  app.addHook('onClose', async () => clearInterval(timer));
}
