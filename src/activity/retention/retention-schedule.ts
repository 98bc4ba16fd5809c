import type { FastifyInstance } from 'fastify';
import { type Kysely, sql } from 'kysely';
import type { Schema } from '../../db/schema.js';
import type { Clock } from '../../kernel/clock.js';
import { DAY_MS } from '../../kernel/time.js';
import { purgeExpiredActivities } from './retention.js';

const FIRST_RUN_DELAY_MS = 60_000;

/** Runs retention a minute after start and then daily, in the server process. */
export function scheduleRetention(
  app: FastifyInstance,
  deps: { db: Kysely<Schema>; clock: Clock; retentionDays: number },
): void {
  const run = async () => {
    try {
      const results = await purgeExpiredActivities(deps.db, {
        now: deps.clock.now(),
        retentionDays: deps.retentionDays,
      });
      const purged = results.reduce((sum, r) => sum + r.purged, 0);
      if (purged > 0) app.log.info({ purged }, 'retention: purged old activities');
      // Fresh planner statistics keep each filter on its index as the table grows.
      await sql`analyze`.execute(deps.db);
    } catch (error) {
      app.log.warn({ err: error }, 'retention run failed; will try again tomorrow');
    }
  };
  const first = setTimeout(run, FIRST_RUN_DELAY_MS);
  const daily = setInterval(run, DAY_MS);
  first.unref();
  daily.unref();
  app.addHook('onClose', async () => {
    clearTimeout(first);
    clearInterval(daily);
  });
}
