import type { Kysely } from 'kysely';
import type { FigureScope, UserSessionFigures } from '../accounts/user-session-figures.js';
import type { Schema } from '../db/schema.js';
import type { Clock } from '../kernel/clock.js';
import { STORED_ACCESS_LAG_MS } from './freshest-access.js';
import type { LastAccessTracker } from './last-access.js';
import type { SessionLimits } from './policy/session-limits.js';
import { latestAccessByUser, tallyLiveSessions } from './session-figures.repository.js';

export interface SessionFiguresDeps {
  db: Kysely<Schema>;
  clock: Clock;
  lastAccess: LastAccessTracker;
  /** The org's idle and lifetime limits in force, read afresh, as the session list reads them. */
  limitsFor: (orgId: string) => Promise<SessionLimits>;
}

/**
 * Figures about each user's sessions for a page of the list of users (the Users page): one query
 * per figure for the page's users, never one per user nor one over the whole org.
 */
export function createSessionFigures(deps: SessionFiguresDeps): UserSessionFigures {
  const { db, clock, lastAccess, limitsFor } = deps;

  return {
    /**
     * How many sessions of each user are live now, by user id (users with none are left out):
     * exactly those the session list shows, live by the freshest access this instance knows.
     */
    async liveSessionCounts(scope: FigureScope): Promise<Map<string, number>> {
      const { idleMs, maxMs } = await limitsFor(scope.orgId);
      const now = clock.now();
      const tallies = await tallyLiveSessions(db, {
        ...scope,
        now,
        idleMs,
        maxMs,
        lagMs: STORED_ACCESS_LAG_MS,
      });
      const counts = new Map<string, number>();
      for (const { userId, live, lagging } of tallies) {
        // Idle by the stored access, but this instance may have seen a request not written yet.
        const fresher = lagging.filter((id) => now - (lastAccess.unwritten(id)?.at ?? 0) < idleMs);
        const count = live + fresher.length;
        if (count > 0) counts.set(userId, count);
      }
      return counts;
    },

    /**
     * When each user last used a session or logged in, by user id (users who never did are left
     * out). From the stored accesses, which lag the real ones by a flush interval at most.
     */
    lastActivityTimes: (scope: FigureScope): Promise<Map<string, number>> => latestAccessByUser(db, scope),
  };
}
