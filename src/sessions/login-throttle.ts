import type { Kysely } from 'kysely';
import type { Schema } from '../db/schema.js';
import { AppError } from '../http/errors.js';

const WINDOW_MS = 15 * 60_000;
/** Failed attempts allowed per window; only failures count, so correct logins never lock anyone out. */
export const MAX_FAILURES_PER_USERNAME = 10;
export const MAX_FAILURES_PER_IP = 30;

/**
 * Counted in the database, not in memory, so several instances share one budget and
 * an attacker gains nothing by spreading attempts across them.
 */
export async function assertLoginAllowed(
  db: Kysely<Schema>,
  attempt: { ip: string; username: string; now: number },
): Promise<void> {
  const since = attempt.now - WINDOW_MS;
  const [byIp, byUsername] = await Promise.all([
    countSince(db, 'ip', attempt.ip, since),
    countSince(db, 'username', attempt.username, since),
  ]);
  if (byIp.count >= MAX_FAILURES_PER_IP || byUsername.count >= MAX_FAILURES_PER_USERNAME) {
    const oldest = Math.min(
      byIp.count >= MAX_FAILURES_PER_IP ? byIp.oldest : Number.POSITIVE_INFINITY,
      byUsername.count >= MAX_FAILURES_PER_USERNAME ? byUsername.oldest : Number.POSITIVE_INFINITY,
    );
    const retryAfterSeconds = Math.max(1, Math.ceil((oldest + WINDOW_MS - attempt.now) / 1000));
    throw new AppError('RATE_LIMITED', 'Too many failed login attempts; try again later', {
      'retry-after': String(retryAfterSeconds),
    });
  }
}

async function countSince(db: Kysely<Schema>, column: 'ip' | 'username', value: string, since: number) {
  const row = await db
    .selectFrom('loginFailures')
    .select((eb) => [eb.fn.countAll<number>().as('count'), eb.fn.min<number>('at').as('oldest')])
    .where(column, '=', value)
    .where('at', '>', since)
    .executeTakeFirstOrThrow();
  return { count: Number(row.count), oldest: row.oldest === null ? since : Number(row.oldest) };
}

/** Remembers a failure and forgets this IP's and username's failures that left the window. */
export async function recordLoginFailure(
  db: Kysely<Schema>,
  attempt: { ip: string; username: string; now: number },
): Promise<void> {
  const cutoff = attempt.now - WINDOW_MS;
  await db.deleteFrom('loginFailures').where('ip', '=', attempt.ip).where('at', '<=', cutoff).execute();
  await db
    .deleteFrom('loginFailures')
    .where('username', '=', attempt.username)
    .where('at', '<=', cutoff)
    .execute();
  await db
    .insertInto('loginFailures')
    .values({ ip: attempt.ip, username: attempt.username, at: attempt.now })
    .execute();
}
