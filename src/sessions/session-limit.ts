import type { Kysely, Transaction } from 'kysely';
import type { ActivityEvent } from '../activity/chain/record.js';
import { recordActivities } from '../activity/chain/record.js';
import type { Schema } from '../db/schema.js';
import { AppError } from '../kernel/errors.js';
import type { FreshestAccess } from './freshest-access.js';
import { lockUserLogins } from './login-history.repository.js';
import { findOrgPolicy } from './policy/org-policy.repository.js';
import { effectiveLimits, type SessionLimits } from './policy/session-limits.js';
import { loginRefusedActivity } from './session-activities.js';
import type { SessionEnding } from './session-ending.js';
import type { SessionListRow } from './sessions.repository.js';

export interface SessionLimitDeps {
  db: Kysely<Schema>;
  defaults: SessionLimits;
  access: FreshestAccess;
  ending: Pick<SessionEnding, 'endSessionsWithin'>;
  /** The user's sessions that may be live by these limits (widened by the stored access's lag), read in `trx`. */
  candidates: (
    filter: { orgId: string; userId: string },
    executor: Kysely<Schema>,
    limits: SessionLimits,
  ) => Promise<SessionListRow[]>;
}

/** What a login is let in with: the endings it caused, and the org's limits for its session. */
export interface Admission {
  events: ActivityEvent[];
  limits: SessionLimits;
}

interface LoginUser {
  id: string;
  orgId: string;
  username: string;
  disabledAt: number | null;
}

/**
 * The org's sessions per user (policy `maxSessionsPerUser`), applied to a login: `deny` refuses it
 * (403 SESSION_LIMIT), `end_oldest` ends the user's sessions created first, so that with the new
 * one the user holds the limit. Exact however many logins of one user arrive at once: each counts
 * under the user's login lock (lockUserLogins, which the risk flags take too; PostgreSQL; SQLite's one connection runs one transaction at a
 * time), in the transaction that inserts the new session, so the next counts it.
 */
export function createSessionLimit(deps: SessionLimitDeps) {
  const { db } = deps;

  return {
    /**
     * Runs `open` (insert the session with the org's `limits`, record the login with `events`: the
     * endings this login caused) in one transaction with the limit's check; announces the endings
     * after the commit.
     */
    async admit<T>(
      user: LoginUser,
      login: { ip: string; now: number },
      open: (trx: Transaction<Schema>, admission: Admission) => Promise<T>,
    ): Promise<T> {
      const { now } = login;
      let refused: number | undefined;
      const { opened, ending } = await db
        .transaction()
        .execute(async (trx) => {
          const policy = await findOrgPolicy(trx, user.orgId);
          const limits = effectiveLimits(policy, deps.defaults);
          const max = policy?.maxSessionsPerUser ?? null;
          if (max === null) return { opened: await open(trx, { events: [], limits }), ending: undefined };
          await lockUserLogins(trx, user.id);
          const live = (await deps.candidates({ orgId: user.orgId, userId: user.id }, trx, limits))
            // Live as the per-request check decides, by the freshest access known here.
            .filter((row) => now - deps.access.latestAccessAt(row) < limits.idleMs);
          const excess = live.length - max + 1;
          if (excess > 0 && policy?.onLimit === 'deny') {
            refused = max;
            throw sessionLimitReached(max);
          }
          const oldest = live.sort((a, b) => a.createdAt - b.createdAt || a.id.localeCompare(b.id));
          const ended = await deps.ending.endSessionsWithin(
            trx,
            null,
            oldest.slice(0, Math.max(0, excess)),
            'session_limit',
            now,
          );
          return { opened: await open(trx, { events: ended.events, limits }), ending: ended };
        })
        .catch(async (error: unknown) => {
          if (refused !== undefined) {
            const event = loginRefusedActivity(user, login.ip, `session limit: ${refused} allowed`, now);
            await db.transaction().execute((trx) => recordActivities(trx, user.orgId, [event], now));
          }
          throw error;
        });
      await ending?.announce();
      return opened;
    },
  };
}

function sessionLimitReached(max: number): AppError {
  const sessions = max === 1 ? 'one session' : `${max} sessions`;
  return new AppError(
    'SESSION_LIMIT',
    `Your organization allows ${sessions} per user at a time: log out of another session first`,
  );
}
