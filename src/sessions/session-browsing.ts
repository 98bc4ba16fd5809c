import type { Kysely } from 'kysely';
import {
  type ListSessionsParams,
  SESSION_TOTAL_CAP,
  type Session,
  type SessionFilter,
  type SessionPage,
} from '../contracts/sessions.js';
import type { Schema } from '../db/schema.js';
import { type Actor, confinedUserId } from '../kernel/actor.js';
import type { Clock } from '../kernel/clock.js';
import { notFound } from '../kernel/errors.js';
import { type FreshestAccess, STORED_ACCESS_LAG_MS } from './freshest-access.js';
import type { SessionLimits } from './policy/session-limits.js';
import { toSession } from './session.js';
import { decodeCursor, encodeCursor } from './session-cursor.js';
import { toSessionDetail } from './session-detail.js';
import { toSessionQuery } from './session-filter.js';
import {
  countSessions,
  listSessionPage,
  type MatchingSessions,
  matchingSessions,
  type SessionQuery,
  type SortOrder,
  sortKeyOf,
} from './session-query.js';
import { fewTextCandidates } from './session-text-match.js';
import { findSession, type SessionListRow } from './sessions.repository.js';

export interface SessionBrowsingDeps {
  db: Kysely<Schema>;
  clock: Clock;
  /** The org's idle and lifetime limits in force, read afresh (its policy, or the configuration's). */
  limitsFor: (orgId: string) => Promise<SessionLimits>;
  access: FreshestAccess;
}

export type SessionBrowsing = ReturnType<typeof createSessionBrowsing>;

/** Reading an org's sessions: a page of the live ones, one session's page, what a filter selects. */
export function createSessionBrowsing(deps: SessionBrowsingDeps) {
  const { db, clock, access } = deps;

  const toSessions = (rows: SessionListRow[], currentSessionId: string | null, idleMs: number): Session[] =>
    rows
      // Live by the freshest access this instance knows, exactly as the per-request check decides.
      .filter((row) => clock.now() - access.latestAccessAt(row) < idleMs)
      .map((row) => toSession(row, { currentSessionId, access: access.latestAccess(row) }));

  /** The live sessions a caller's filter selects: always their org, a non-admin only their own. */
  const queryFor = (actor: Actor, filter: SessionFilter, limits: SessionLimits): SessionQuery => {
    const fields = toSessionQuery(filter);
    return {
      ...fields,
      orgId: actor.orgId,
      userId: confinedUserId(actor) ?? fields.userId,
      now: clock.now(),
      idleMs: limits.idleMs + STORED_ACCESS_LAG_MS,
      maxMs: limits.maxMs,
    };
  };

  /** The query, told whether `q` is looked up in its own index first (SQLite; session-text-match.ts). */
  const withTextPlan = async (query: SessionQuery): Promise<SessionQuery> =>
    query.q === undefined
      ? query
      : { ...query, candidatesFirst: await fewTextCandidates(db, query.orgId, query.q) };

  return {
    /**
     * One page of live sessions, filtered and sorted in SQL: an admin's of the whole org, a user's
     * own; with the cursor of the next page and the matching count (exact up to SESSION_TOTAL_CAP).
     */
    async listSessions(actor: Actor, params: ListSessionsParams): Promise<SessionPage> {
      const { sort, limit } = params;
      const order: SortOrder = params.order ?? (sort === 'username' || sort === 'country' ? 'asc' : 'desc');
      const after = params.cursor === undefined ? undefined : decodeCursor(params.cursor, sort, order);
      const limits = await deps.limitsFor(actor.orgId);
      const query = await withTextPlan(queryFor(actor, params, limits));
      const [rows, total] = await Promise.all([
        listSessionPage(db, query, { sort, order, limit, after }),
        countSessions(db, query, SESSION_TOTAL_CAP),
      ]);
      const page = rows.slice(0, limit);
      const last = page.at(-1);
      const sessions = toSessions(page, actor.sessionId, limits.idleMs);
      // Pages are cut by the stored access; within one, by the freshest this instance knows,
      // which may not be written yet (the tracker writes every 15 s).
      if (sort === 'lastAccessAt') sessions.sort(byAccess(order === 'desc' ? -1 : 1));
      return {
        sessions,
        nextCursor: rows.length > limit && last ? encodeCursor(sort, order, sortKeyOf(last, sort)) : null,
        total: Math.min(total, SESSION_TOTAL_CAP),
        totalCapped: total > SESSION_TOTAL_CAP,
      };
    },

    /** One session the caller may see, live or ended, with everything known about it; 404 otherwise. */
    async sessionDetail(actor: Actor, sessionId: string) {
      const [row, limits] = await Promise.all([
        findSession(db, { orgId: actor.orgId, id: sessionId, userId: confinedUserId(actor) }),
        deps.limitsFor(actor.orgId),
      ]);
      if (!row) throw notFound('Session');
      const shown = toSession(row, { currentSessionId: actor.sessionId, access: access.latestAccess(row) });
      return toSessionDetail(row, shown, { now: clock.now(), ...limits });
    },

    /**
     * What a Logout by filter ends, a batch at a time: the live sessions the filter selects, but
     * the caller's own; read afresh for each batch.
     */
    matchingFor(actor: Actor, filter: SessionFilter): MatchingSessions {
      return async () => {
        const limits = await deps.limitsFor(actor.orgId);
        const query = await withTextPlan({ ...queryFor(actor, filter, limits), exceptId: actor.sessionId });
        return (limit, trx, lock) => matchingSessions(trx, query, limit, lock);
      };
    },
  };
}

/** Orders shown sessions by their (freshest) last access, ties by id, in one direction as SQL does. */
function byAccess(direction: 1 | -1) {
  return (a: Session, b: Session): number =>
    direction * (a.lastAccessAt.localeCompare(b.lastAccessAt) || a.id.localeCompare(b.id));
}
