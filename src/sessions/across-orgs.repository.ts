import {
  type ExpressionBuilder,
  type Kysely,
  type RawBuilder,
  type SelectQueryBuilder,
  sql,
  type UpdateObject,
} from 'kysely';
import { isPostgres } from '../db/dialect.js';
import type { Schema } from '../db/schema.js';
import { limitsInSql, type SessionLimits } from './policy/session-limits.js';
import { noPendingEnding } from './session-endings.repository.js';

/*
 * Queries over the sessions of every org, each org with its own limits in force (its policy's,
 * or the configuration's): the live-session gauges and the sweep of sessions that ran out.
 */

type Db = Kysely<Schema>;

/**
 * Unrevoked sessions of every org used within the idle window, for monitoring. Through orgs, so
 * SQLite reads the partial live index (org, last access) one org's range at a time and never the
 * rows: sessions that idle out are never revoked, and reading each row for its lifetime too was far
 * slower (docs/benchmarks.md, "Metrics"). A session past its lifetime is refused, stops being used,
 * and so leaves the count within one idle window.
 */
export async function countLiveSessions(
  db: Db,
  filter: { now: number; defaults: SessionLimits },
): Promise<number> {
  const limits = limitsInSql('p', filter.defaults);
  const row = await db
    .selectFrom('orgs as o')
    .leftJoin('orgPolicies as p', 'p.orgId', 'o.id')
    .innerJoin('sessions as s', 's.orgId', 'o.id')
    .select((eb) => eb.fn.countAll<number | string>().as('n'))
    .where('s.revokedAt', 'is', null)
    .where(sql<boolean>`s.last_access_at > ${filter.now} - ${limits.idleMs}`)
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

/**
 * Unrevoked, unexpired sessions used within each org's idle window (widened by `lagMs`), counted
 * per org.
 */
export async function countLiveSessionsPerOrg(
  db: Db,
  window: { now: number; defaults: SessionLimits; lagMs: number },
): Promise<Map<string, number>> {
  const limits = limitsInSql('p', window.defaults);
  const rows = await db
    .selectFrom('sessions as s')
    .leftJoin('orgPolicies as p', 'p.orgId', 's.orgId')
    .select((eb) => ['s.orgId', eb.fn.countAll<number>().as('live')])
    .where('s.revokedAt', 'is', null)
    .where('s.expiresAt', '>', window.now)
    .where(sql<boolean>`s.created_at > ${window.now} - ${limits.maxMs}`)
    .where(sql<boolean>`s.last_access_at > ${window.now} - ${limits.idleMs} - ${window.lagMs}`)
    .where(noPendingEnding(db, 's.id'))
    .groupBy('s.orgId')
    .execute();
  return new Map(rows.map((r) => [r.orgId, Number(r.live)]));
}

/**
 * Marks sessions whose lifetime or idle window ran out as ended (`expired` / `idle`), at the moment
 * they ended, so the live indexes hold live sessions only and an ended session's page says why.
 * Each org's limits in force (its policy's, or `defaults`): a lowered lifetime ends sessions that
 * began long enough ago, whatever their stored end. Idle ones only once `lagMs` (how far a stored
 * access may lag) has passed too: what it sweeps, the per-request check refuses already. Through
 * orgs, so each org's range of a live index is read (see countLiveSessions); at most `limit` rows
 * of each kind, so one sweep stays short. A session whose ending waits to be written keeps it (its
 * Logout, not its idle time, ended it).
 */
export async function sweepEndedSessions(
  db: Db,
  window: { now: number; defaults: SessionLimits; lagMs: number; limit: number },
): Promise<number> {
  const limits = limitsInSql('p', window.defaults);
  // Up to `limit` unrevoked sessions, through their orgs and policies, past the limit `over` names.
  const pastLimit = (over: RawBuilder<boolean>) => (executor: Db) =>
    executor
      .selectFrom('orgs as o')
      .leftJoin('orgPolicies as p', 'p.orgId', 'o.id')
      .innerJoin('sessions as s', 's.orgId', 'o.id')
      .select('s.id')
      .where('s.revokedAt', 'is', null)
      .where(over)
      .limit(window.limit);
  // The org's limit for the row being updated (its policy joined above is not in scope there).
  const ownLimit = (column: 'idle_ms' | 'max_ms', fallback: number) =>
    sql<number>`coalesce((select op.${sql.raw(column)} from org_policies op where op.org_id = sessions.org_id), ${fallback})`;
  const expired = await sweepStep(
    db,
    (executor) =>
      executor
        .selectFrom('sessions as s')
        .select('s.id')
        .where('s.revokedAt', 'is', null)
        .where('s.expiresAt', '<=', window.now)
        .limit(window.limit),
    (eb) => ({ revokedAt: eb.ref('expiresAt'), revokedReason: 'expired' }),
  );
  const endOfLife = sql<number>`created_at + ${ownLimit('max_ms', window.defaults.maxMs)}`;
  const outlived = await sweepStep(
    db,
    pastLimit(sql<boolean>`s.created_at <= ${window.now} - ${limits.maxMs}`),
    () => ({
      revokedAt: sql<number>`case when expires_at < ${endOfLife} then expires_at else ${endOfLife} end`,
      revokedReason: 'expired',
    }),
  );
  const idle = await sweepStep(
    db,
    pastLimit(sql<boolean>`s.last_access_at <= ${window.now} - ${limits.idleMs} - ${window.lagMs}`),
    () => ({
      revokedAt: sql<number>`last_access_at + ${ownLimit('idle_ms', window.defaults.idleMs)}`,
      revokedReason: 'idle',
    }),
  );
  return expired + outlived + idle;
}

type SweptValues = UpdateObject<Schema, 'sessions', 'sessions'>;

/**
 * Marks the sessions `candidates` selects ended with `values`, but those whose ending waits to be
 * written (decision 017). PostgreSQL: the candidates are locked first, skipping rows a Logout
 * holds, and the update is a statement of its own, so it sees an ending that committed while it
 * waited: one update with the test inside read it from before, and wrote `idle` over a Logout.
 */
async function sweepStep<DB, TB extends keyof DB>(
  db: Db,
  candidates: (executor: Db) => SelectQueryBuilder<DB, TB, { id: string }>,
  values: (eb: ExpressionBuilder<Schema, 'sessions'>) => SweptValues,
): Promise<number> {
  return db.transaction().execute(async (trx) => {
    let ids: readonly string[] | undefined;
    if (isPostgres(trx)) {
      const locked = await candidates(trx).modifyEnd(sql`for update of s skip locked`).execute();
      if (locked.length === 0) return 0;
      ids = locked.map((r) => r.id);
    }
    const result = await trx
      .updateTable('sessions')
      .set(values)
      .where('id', 'in', ids ?? candidates(trx))
      .where('revokedAt', 'is', null)
      .where(noPendingEnding(trx, 'sessions.id'))
      .executeTakeFirst();
    return Number(result.numUpdatedRows);
  });
}
