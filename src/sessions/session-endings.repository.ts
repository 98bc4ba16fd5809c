import { type Kysely, type RawBuilder, type SqlBool, sql } from 'kysely';
import type { RevokedReason } from '../contracts/sessions.js';
import { isPostgres } from '../db/dialect.js';
import type { Schema } from '../db/schema.js';

/*
 * How an ending is stored (decision 017): first as a narrow row of `session_endings`, the one
 * place that decides that a session ended, and exactly once; then moved into the session row's
 * `revoked_*` columns, at once for a few sessions, in the background for a Logout by filter.
 */

type Db = Kysely<Schema>;

export interface Revocation {
  at: number;
  by: string | null;
  reason: RevokedReason;
}

/**
 * For a live query's `where`: the session `ref` names has no ending waiting to be written into it.
 * SQLite is told the test nearly always holds: otherwise it takes it for a filter, expects fewer
 * rows, and sorts a lifetime range instead of reading the sort's own index in order.
 */
export function noPendingEnding(db: Db, ref: string): RawBuilder<SqlBool> {
  const none = sql<SqlBool>`not exists (select 1 from session_endings pe where pe.session_id = ${sql.ref(ref)})`;
  return isPostgres(db) ? none : sql<SqlBool>`likelihood(${none}, 1.0)`;
}

/** PostgreSQL: locks the unrevoked ones of these session rows, in id order; SQLite has one writer at a time. */
async function lockUnrevoked(db: Db, ids: readonly string[]): Promise<readonly string[]> {
  if (!isPostgres(db)) return ids;
  // An UPDATE locks rows in whatever order its plan scans them, and two Logouts of overlapping
  // sessions (50 at once by one filter) deadlocked; every writer of endings locks in id order.
  const rows = await db
    .selectFrom('sessions')
    .select('id')
    .where('id', 'in', ids)
    .where('revokedAt', 'is', null)
    .orderBy('id')
    .forUpdate()
    .execute();
  return rows.map((r) => r.id);
}

/**
 * Ends those of the sessions that have not ended yet, and answers them: each gets its ending once,
 * however many writers end it at once (the primary key, under the row locks, so an ending being
 * moved into its row is not taken for none). `apply`: written into the rows in this transaction
 * too; otherwise the background step does it (applyPendingEndings), and until then every live
 * query skips the session (noPendingEnding) and the per-request check reads its ending.
 * `locked`: the caller holds the rows' locks already, taken in id order (matchingSessions).
 */
export async function endSessionRows(
  db: Db,
  ids: readonly string[],
  revocation: Revocation,
  options: { apply: boolean; locked?: boolean },
): Promise<string[]> {
  if (ids.length === 0) return [];
  const unrevoked = options.locked ? ids : await lockUnrevoked(db, ids);
  if (unrevoked.length === 0) return [];
  const rows = await db
    .insertInto('sessionEndings')
    .columns(['sessionId', 'endedAt', 'endedBy', 'reason'])
    .expression((eb) =>
      eb
        .selectFrom('sessions')
        .select([
          'id',
          sql<number>`cast(${revocation.at} as bigint)`.as('endedAt'),
          sql<string | null>`cast(${revocation.by} as text)`.as('endedBy'),
          sql<RevokedReason>`cast(${revocation.reason} as text)`.as('reason'),
        ])
        .where('id', 'in', unrevoked)
        .where('revokedAt', 'is', null),
    )
    .onConflict((oc) => oc.column('sessionId').doNothing())
    .returning('sessionId')
    .execute();
  const ended = rows.map((r) => r.sessionId);
  if (options.apply) await applyEndingsOf(db, ended, { locked: true });
  return ended;
}

/** One session's own ending, for endings that each happened at a time of their own. */
export interface OwnEnding {
  sessionId: string;
  at: number;
  reason: RevokedReason;
}

/** Rows per statement: well inside SQLite's bound parameters, and short locks on PostgreSQL. */
const OWN_ENDINGS_CHUNK = 500;

/**
 * As endSessionRows, each session with its own time and reason (no one ended them: a limit ran
 * out), written into the rows at once; answers the sessions it ended. A session that ended
 * meanwhile keeps its ending.
 */
export async function endSessionRowsEach(db: Db, endings: readonly OwnEnding[]): Promise<string[]> {
  const ended: string[] = [];
  for (let i = 0; i < endings.length; i += OWN_ENDINGS_CHUNK) {
    const chunk = endings.slice(i, i + OWN_ENDINGS_CHUNK);
    const unrevoked = new Set(
      await lockUnrevoked(
        db,
        chunk.map((e) => e.sessionId),
      ),
    );
    const values = chunk
      .filter((e) => unrevoked.has(e.sessionId))
      .map((e) => ({ sessionId: e.sessionId, endedAt: e.at, endedBy: null, reason: e.reason }));
    if (values.length === 0) continue;
    const rows = await db
      .insertInto('sessionEndings')
      .values(values)
      .onConflict((oc) => oc.column('sessionId').doNothing())
      .returning('sessionId')
      .execute();
    const ids = rows.map((r) => r.sessionId);
    await applyEndingsOf(db, ids, { locked: true });
    ended.push(...ids);
  }
  return ended;
}

/** Moves the endings of these sessions into their rows and deletes them; answers how many rows changed. */
async function applyEndingsOf(db: Db, ids: readonly string[], how: { locked: boolean }): Promise<number> {
  if (ids.length === 0) return 0;
  if (!how.locked) await lockUnrevoked(db, ids);
  const pending = (column: 'ended_at' | 'ended_by' | 'reason') =>
    sql`(select pe.${sql.raw(column)} from session_endings pe where pe.session_id = sessions.id)`;
  const updated = await db
    .updateTable('sessions')
    .set({
      revokedAt: pending('ended_at') as RawBuilder<number>,
      revokedBy: pending('ended_by') as RawBuilder<string | null>,
      revokedReason: pending('reason') as RawBuilder<RevokedReason>,
    })
    .where('id', 'in', ids)
    .where('revokedAt', 'is', null)
    .where(sql<SqlBool>`exists (select 1 from session_endings pe where pe.session_id = sessions.id)`)
    .executeTakeFirst();
  await db.deleteFrom('sessionEndings').where('sessionId', 'in', ids).execute();
  return Number(updated.numUpdatedRows);
}

/**
 * Moves up to `limit` waiting endings into their session rows (call in a transaction); answers how
 * many it took, so a caller can tell whether more wait. Two instances at once share the work: each
 * takes endings the other has not locked, and a row already written is left alone.
 */
export async function applyPendingEndings(db: Db, limit: number): Promise<number> {
  const oldest = db.selectFrom('sessionEndings').select('sessionId').orderBy('sessionId').limit(limit);
  // PostgreSQL: another instance's writer holds its batch's endings; this one takes the next.
  const batch = await (isPostgres(db) ? oldest.forUpdate().skipLocked() : oldest).execute();
  const ids = batch.map((r) => r.sessionId);
  await applyEndingsOf(db, ids, { locked: false });
  return ids.length;
}

/** How many endings wait to be written into their rows (the benchmark's and tests' view). */
export async function countPendingEndings(db: Db): Promise<number> {
  const row = await db
    .selectFrom('sessionEndings')
    .select((eb) => eb.fn.countAll<number | string>().as('n'))
    .executeTakeFirstOrThrow();
  return Number(row.n);
}
