import type { Kysely } from 'kysely';
import type { Credentials } from '../accounts/credentials.js';
import type { SessionFilter } from '../contracts/sessions.js';
import type { DatabaseEngine } from '../db/database.js';
import type { Schema } from '../db/schema.js';
import { type Actor, confinedUserId, isAdmin } from '../kernel/actor.js';
import type { Clock } from '../kernel/clock.js';
import { forbidden, notFound } from '../kernel/errors.js';
import { countLiveSessions, countLiveSessionsPerOrg, sweepEndedSessions } from './across-orgs.repository.js';
import { createDemoSessions, type DemoSessionsInput } from './demo/demo-sessions.js';
import { createEndingWriter } from './ending-writer.js';
import { freshestAccess, STORED_ACCESS_LAG_MS } from './freshest-access.js';
import type { GeoLocator } from './geo.js';
import type { LastAccessTracker } from './last-access.js';
import type { LiveBus, LiveEvent } from './live-events.js';
import { findOrgPolicy } from './policy/org-policy.repository.js';
import { effectiveLimits, type SessionLimits } from './policy/session-limits.js';
import { createSessionBrowsing } from './session-browsing.js';
import { createSessionCheck } from './session-check.js';
import { createSessionEnding } from './session-ending.js';
import { createSessionFigures } from './session-figures.js';
import { createSessionLimit } from './session-limit.js';
import { createSessionOpening, type LoginInput, type OpenedSession } from './session-opening.js';
import { PASSWORD_SIGN_IN } from './session-row.js';
import { lastLoginsInOrg, listLiveSessions } from './sessions.repository.js';

export interface SessionServiceDeps {
  database: DatabaseEngine;
  clock: Clock;
  geo: GeoLocator;
  bus: LiveBus;
  lastAccess: LastAccessTracker;
  credentials: Credentials;
  idleMs: number;
  maxMs: number;
  /** Told when a live event could not be published (the change it announces is committed). */
  onPublishFailed?: (error: unknown, event: LiveEvent) => void;
  /** Told when waiting endings could not be written into their rows (the next kick tries again). */
  onEndingWriteFailed?: (error: unknown) => void;
}

export type { CheckedSession, SessionRejection, ValidationResult } from './session-check.js';
export type { LoginInput, OpenedSession, PasswordChecked, SignInContext } from './session-opening.js';

export type SessionService = ReturnType<typeof createSessionService>;

export function createSessionService(deps: SessionServiceDeps) {
  const { clock, bus, lastAccess } = deps;
  const db = deps.database.db;

  const access = freshestAccess(lastAccess);
  const defaults: SessionLimits = { idleMs: deps.idleMs, maxMs: deps.maxMs };
  /** The org's limits in force, read afresh: a policy changed on another instance counts at once. */
  const limitsFor = async (orgId: string, executor: Kysely<Schema> = db) =>
    effectiveLimits(await findOrgPolicy(executor, orgId), defaults);
  const check = createSessionCheck({ database: deps.database, clock, lastAccess, access, defaults });
  const browsing = createSessionBrowsing({ db, clock, limitsFor, access });

  /** Sessions that may still be live: unrevoked, within the org's lifetime, idle at most its widened window. */
  const candidateSessions = async (
    filter: { orgId: string; userId?: string | undefined; ids?: readonly string[] },
    executor: Kysely<Schema> = db,
    limits?: SessionLimits,
  ) => {
    const { idleMs, maxMs } = limits ?? (await limitsFor(filter.orgId, executor));
    return listLiveSessions(executor, {
      ...filter,
      now: clock.now(),
      idleMs: idleMs + STORED_ACCESS_LAG_MS,
      maxMs,
    });
  };

  const writer = createEndingWriter({ db, onError: (error) => deps.onEndingWriteFailed?.(error) });
  const ending = createSessionEnding({
    db,
    clock,
    bus,
    lastAccess,
    writer,
    candidates: candidateSessions,
    onPublishFailed: deps.onPublishFailed,
  });
  const { announce, endRows } = ending;
  const figures = createSessionFigures({ db, clock, lastAccess, limitsFor });
  const sessionLimit = createSessionLimit({ db, defaults, access, ending, candidates: candidateSessions });

  const { checkPassword, openSession } = createSessionOpening({
    db,
    clock,
    geo: deps.geo,
    credentials: deps.credentials,
    sessionLimit,
    announce,
  });

  return {
    checkPassword,
    openSession,

    /** A password login without a second factor: checkPassword, then openSession. */
    async login(input: LoginInput): Promise<OpenedSession & { deviceToken: string }> {
      const { user, deviceToken } = await checkPassword(input);
      return { ...(await openSession(user, input, PASSWORD_SIGN_IN)), deviceToken };
    },

    ...check,

    /**
     * Live sessions of all orgs, by the stored last access (which lags by a flush at most): a
     * gauge for monitoring, not a rule.
     */
    countLiveSessions: () => countLiveSessions(db, { now: clock.now(), defaults }),

    /** One page of live sessions (SessionBrowsing). */
    listSessions: browsing.listSessions,

    /** One session the caller may see, live or ended, with everything known about it (SessionBrowsing). */
    sessionDetail: browsing.sessionDetail,

    /**
     * Admin: ends every live session of the org that matches the filter, but the caller's own, in
     * batches of a transaction each (SessionEnding.endMatching); answers how many ended.
     */
    async endSessionsByFilter(actor: Actor, filter: SessionFilter): Promise<number> {
      if (!isAdmin(actor)) throw forbidden('Only an admin can end sessions by filter');
      return ending.endMatching(actor, filter, browsing.matchingFor(actor, filter));
    },

    /** The demo's sessions (`demo --sessions`), written in bulk without a login each: see createDemoSessions. */
    // The org's limits, not the configuration's: `demo --org` may add to an org with a policy.
    createDemoSessions: async (input: DemoSessionsInput) => {
      const { idleMs, maxMs } = await limitsFor(input.orgId);
      return createDemoSessions(
        { database: deps.database, geo: deps.geo, now: () => clock.now(), idleMs, maxMs },
        input,
      );
    },

    /** Writes waiting endings into their session rows (EndingWriter); resolves when none wait. */
    writePendingEndings: writer.kick,

    /** Finishes writing endings in progress, before the database closes. */
    close: writer.close,

    /** Marks sessions that ran out as ended (see sweepEndedSessions); answers how many. */
    sweepEndedSessions: (limit: number) =>
      sweepEndedSessions(db, { now: clock.now(), defaults, lagMs: STORED_ACCESS_LAG_MS, limit }),

    /**
     * Ends sessions the caller may see. All or nothing: one id the caller may not see
     * makes the whole call a 404 and ends nothing.
     */
    async endSessions(actor: Actor, sessionIds: readonly string[]): Promise<number> {
      const unique = [...new Set(sessionIds)];
      // Ending a session that idled out a moment ago is harmless; missing a live one is not.
      const rows = await candidateSessions({
        orgId: actor.orgId,
        userId: confinedUserId(actor),
        ids: unique,
      });
      if (rows.length !== unique.length) throw notFound('Session');
      const reason = unique.length === 1 && unique[0] === actor.sessionId ? 'logout' : 'terminated';
      return (await endRows(actor, rows, reason)).length;
    },

    /** Ends the caller's own session (the Log out button). */
    async logout(actor: Actor): Promise<void> {
      if (actor.sessionId === null) return;
      const rows = await candidateSessions({ orgId: actor.orgId, ids: [actor.sessionId] });
      await endRows(actor, rows, 'logout');
    },

    /** Ends all of a user's live sessions but one (the operator's `sessions end --user`), in a transaction of its own. */
    endUserSessions: ending.endUserSessions,

    endUserSessionsWithin: ending.endUserSessionsWithin,

    /** Live sessions per user of an org, or of one user of it (SessionFigures). */
    liveSessionCounts: figures.liveSessionCounts,

    /** Each user's latest session access or login (SessionFigures). */
    lastActivityTimes: figures.lastActivityTimes,

    /** When each user of the org last logged in (a session of theirs began), by user id. */
    async lastLoginTimes(actor: Actor): Promise<Map<string, number>> {
      return lastLoginsInOrg(db, actor.orgId, confinedUserId(actor));
    },

    /**
     * How many sessions of each org may be live now, by org id (for the operator's overview: it
     * counts, as the Logout button does, a session that idled out within the last flush interval).
     */
    countLiveSessionsByOrg(): Promise<Map<string, number>> {
      return countLiveSessionsPerOrg(db, { now: clock.now(), defaults, lagMs: STORED_ACCESS_LAG_MS });
    },
  };
}
