import type { Kysely } from 'kysely';
import type { Schema } from '../db/schema.js';
import { applyPendingEndings } from './session-endings.repository.js';

/**
 * Endings a transaction moves into their session rows: small, because on SQLite each one holds the
 * only write lock that logins and access writes wait for, and the event loop (better-sqlite3 is
 * synchronous) that every request waits for.
 */
const APPLY_BATCH = 100;

export type EndingWriter = ReturnType<typeof createEndingWriter>;

/**
 * The background step of decision 017: writes waiting endings into their session rows, a batch of
 * a transaction at a time, until none wait. `kick` after a Logout by filter, and on a schedule (an
 * instance that stopped halfway leaves some). One run at a time in this process; a kick during a
 * run makes it look again before it stops.
 */
export function createEndingWriter(deps: { db: Kysely<Schema>; onError: (error: unknown) => void }) {
  let running: Promise<void> | undefined;
  let again = false;
  let closed = false;

  async function drain(): Promise<void> {
    while (!closed) {
      const started = performance.now();
      const taken = await deps.db.transaction().execute((trx) => applyPendingEndings(trx, APPLY_BATCH));
      if (taken < APPLY_BATCH) return;
      // Rests as long as the batch took: the writer has at most half of the time, and the requests
      // that waited behind a batch are served before the next. With a bare setImmediate, /api/me
      // crawled on SQLite until every ending of a Logout of 10,000 was written (docs/benchmarks.md).
      await new Promise((resolve) => setTimeout(resolve, performance.now() - started));
    }
  }

  function kick(): Promise<void> {
    again = true;
    running ??= (async () => {
      while (again && !closed) {
        again = false;
        await drain().catch((error: unknown) => {
          // A throwing handler must not leave a rejected run behind: no writer would start again.
          try {
            deps.onError(error);
          } catch {}
        });
      }
      running = undefined;
    })();
    return running;
  }

  return {
    kick,
    /** Waits for a run in progress and starts no other (before the database closes). */
    async close(): Promise<void> {
      closed = true;
      await running;
    },
  };
}
