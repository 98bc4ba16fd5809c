import { type Kysely, sql } from 'kysely';
import type { FigureScope } from '../accounts/user-session-figures.js';
import { isPostgres } from '../db/dialect.js';
import type { Schema } from '../db/schema.js';
import { noPendingEnding } from './session-endings.repository.js';

type Db = Kysely<Schema>;

/** A user's sessions that may be live: those live by their stored access, and the ids of the rest. */
export interface LiveSessionTally {
  userId: string;
  /** Live by the stored last access alone. */
  live: number;
  /** Idle by the stored access but within its lag: live only if a fresher unwritten access says so. */
  lagging: string[];
}

/**
 * Per user of the scope, in one grouped query over the live indexes: sessions unrevoked, within
 * their stored end and the org's lifetime in force (as the session list's `matches`), and used
 * within the idle window widened by `lagMs`, split at the idle window itself. Only the few in the
 * widened edge come back by id.
 */
export async function tallyLiveSessions(db: Db, scope: TallyScope): Promise<LiveSessionTally[]> {
  if (scope.userIds.length === 0) return [];
  const rows = await tallyQuery(db, scope).execute();
  return rows.map((r) => ({
    userId: r.userId,
    live: Number(r.live),
    lagging: r.lagging ? r.lagging.split(',') : [],
  }));
}

type TallyScope = FigureScope & { now: number; idleMs: number; maxMs: number; lagMs: number };

/** The tally's query, unrun (the plan test reads it). */
export function tallyQuery(db: Db, scope: TallyScope) {
  const idleBefore = scope.now - scope.idleMs;
  const edgeId = sql`case when last_access_at <= ${idleBefore} then id end`;
  const lagging = isPostgres(db)
    ? sql<string | null>`string_agg(${edgeId}, ',')`
    : sql<string | null>`group_concat(${edgeId}, ',')`;
  return db
    .selectFrom('sessions')
    .select((eb) => [
      'userId',
      eb.fn
        .sum<number | string>(eb.case().when('lastAccessAt', '>', idleBefore).then(1).else(0).end())
        .as('live'),
      lagging.as('lagging'),
    ])
    .where('orgId', '=', scope.orgId)
    .where('revokedAt', 'is', null)
    .where('expiresAt', '>', scope.now)
    .where('createdAt', '>', scope.now - scope.maxMs)
    .where('lastAccessAt', '>', idleBefore - scope.lagMs)
    .where('userId', 'in', scope.userIds)
    .where(noPendingEnding(db, 'sessions.id'))
    .groupBy('userId');
}

/**
 * Each user's latest stored session access (a login is a session's first), live or ended, by user
 * id: read from migration 015's (org_id, user_id, last_access_at) index, without the table rows
 * of years of ended sessions.
 */
export async function latestAccessByUser(db: Db, scope: FigureScope): Promise<Map<string, number>> {
  if (scope.userIds.length === 0) return new Map();
  const rows = await latestAccessQuery(db, scope).execute();
  return new Map(rows.map((r) => [r.userId, Number(r.at)]));
}

/** The latest accesses' query, unrun (the plan test reads it). */
export function latestAccessQuery(db: Db, scope: FigureScope) {
  const latest = (ended: boolean) =>
    db
      .selectFrom('sessions')
      .select((eb) => ['userId', eb.fn.max<number | string>('lastAccessAt').as('at')])
      .where('orgId', '=', scope.orgId)
      .where('userId', 'in', scope.userIds)
      .where('revokedAt', ended ? 'is not' : 'is', null)
      .groupBy('userId');
  if (!isPostgres(db)) {
    return db
      .selectFrom('sessions')
      .select((eb) => ['userId', eb.fn.max<number | string>('lastAccessAt').as('at')])
      .where('orgId', '=', scope.orgId)
      .where('userId', 'in', scope.userIds)
      .groupBy('userId');
  }
  // PostgreSQL's index of this holds ended sessions only (migration 015): live ones from theirs.
  const both = latest(false).unionAll(latest(true)).as('halves');
  return db
    .selectFrom(both)
    .select((eb) => ['halves.userId', eb.fn.max<number | string>('halves.at').as('at')])
    .groupBy('halves.userId');
}
