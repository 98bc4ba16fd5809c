import { type Kysely, sql } from 'kysely';
import { isPostgres } from '../db/dialect.js';
import type { Schema } from '../db/schema.js';

type Db = Kysely<Schema>;

/** Which guesses share a budget: one username's from unknown devices, one address's, or one device's. */
export type GuessBudget =
  | { kind: 'username'; username: string }
  | { kind: 'ip'; ip: string }
  | { kind: 'device'; deviceId: string };

const budgetKey = (budget: GuessBudget) =>
  budget.kind === 'username'
    ? `username:${budget.username}`
    : budget.kind === 'ip'
      ? `ip:${budget.ip}`
      : `device:${budget.deviceId}`;

/**
 * Queues a guess (as being checked) and answers its id: its place in the queue of each budget.
 *
 * PostgreSQL hands out ids before commit, so two inserts could become visible in the other order
 * than their ids; under a transaction lock per budget they cannot, and a guess never misses one
 * queued ahead of it. SQLite commits one write at a time, in id order.
 */
export async function insertGuess(
  db: Db,
  guess: { ip: string; username: string; deviceId: string | null; at: number },
  budgets: readonly GuessBudget[],
): Promise<number> {
  const insert = async (trx: Db) => {
    const row = await trx
      .insertInto('loginFailures')
      .values({ ...guess, failed: 0 })
      .returning('id')
      .executeTakeFirstOrThrow();
    return Number(row.id);
  };
  if (!isPostgres(db)) return insert(db);
  return db.transaction().execute(async (trx) => {
    // Sorted, so two guesses that share two budgets take their locks in the same order.
    for (const key of budgets.map(budgetKey).sort()) {
      await sql`select pg_advisory_xact_lock(hashtextextended(${key}, 0))`.execute(trx);
    }
    return insert(trx);
  });
}

/**
 * The guesses of a budget queued since `since` up to and including `id`, and those among them that
 * failed. One still "being checked" since before `staleBefore` was left by a process that died
 * mid-check: it counts as failed, or it would hold the queue for the whole window.
 */
export async function countGuessesAhead(
  db: Db,
  budget: GuessBudget,
  position: { since: number; id: number; staleBefore: number },
): Promise<{ queued: number; failed: number; oldestFailure: number | null }> {
  let query = db
    .selectFrom('loginFailures')
    .select((eb) => {
      const failed = eb.or([eb('failed', '=', 1), eb('at', '<', position.staleBefore)]);
      return [
        eb.fn.countAll<number>().as('queued'),
        eb.fn.sum<number>(eb.case().when(failed).then(1).else(0).end()).as('failed'),
        eb.fn.min<number>(eb.case().when(failed).then(eb.ref('at')).end()).as('oldestFailure'),
      ];
    })
    .where('at', '>', position.since)
    .where('id', '<=', position.id);
  if (budget.kind === 'device') query = query.where('deviceId', '=', budget.deviceId);
  // A known device's guesses are its own budget: they never count against the username or the address.
  else if (budget.kind === 'username')
    query = query.where('username', '=', budget.username).where('deviceId', 'is', null);
  else query = query.where('ip', '=', budget.ip).where('deviceId', 'is', null);
  const row = await query.executeTakeFirstOrThrow();
  return {
    queued: Number(row.queued),
    failed: Number(row.failed ?? 0),
    oldestFailure: row.oldestFailure === null ? null : Number(row.oldestFailure),
  };
}

/** How many of a username's guesses from unknown devices failed since `since`. */
export async function countUsernameFailures(db: Db, username: string, since: number): Promise<number> {
  const row = await db
    .selectFrom('loginFailures')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where('username', '=', username)
    .where('deviceId', 'is', null)
    .where('failed', '=', 1)
    .where('at', '>', since)
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

export async function markGuessFailed(db: Db, id: number): Promise<void> {
  await db.updateTable('loginFailures').set({ failed: 1 }).where('id', '=', id).execute();
}

export async function deleteGuess(db: Db, id: number): Promise<void> {
  await db.deleteFrom('loginFailures').where('id', '=', id).execute();
}

/** Forgets a username's guesses, which lifts its lockout; answers how many failures there were. */
export async function deleteUsernameGuesses(db: Db, username: string): Promise<number> {
  const result = await db
    .deleteFrom('loginFailures')
    .where('username', '=', username)
    .where('failed', '=', 1)
    .executeTakeFirst();
  return Number(result.numDeletedRows);
}

export async function deleteGuessesUpTo(db: Db, cutoff: number): Promise<void> {
  await db.deleteFrom('loginFailures').where('at', '<=', cutoff).execute();
}

/**
 * The org's usernames with at least `threshold` failed guesses from unknown devices since `since`:
 * one query for a whole list of users, however many (the window keeps the table small).
 */
export async function usernamesWithFailures(
  db: Db,
  filter: { orgId: string; since: number; threshold: number },
): Promise<Set<string>> {
  const rows = await db
    .selectFrom('loginFailures as f')
    .innerJoin('users as u', 'u.username', 'f.username')
    .select('f.username')
    .where('u.orgId', '=', filter.orgId)
    .where('f.deviceId', 'is', null)
    .where('f.failed', '=', 1)
    .where('f.at', '>', filter.since)
    .groupBy('f.username')
    .having((eb) => eb.fn.countAll(), '>=', filter.threshold)
    .execute();
  return new Set(rows.map((r) => r.username));
}
