import { type ExpressionBuilder, type Kysely, sql } from 'kysely';
import { isPostgres } from '../db/dialect.js';
import type { Schema } from '../db/schema.js';
import { type LocatedLogin, type LoginHistory, placeName } from './risk-flags.js';

type Db = Kysely<Schema>;

/** The login's columns its history is compared on (a session row as session-row.ts builds it). */
export interface HistoryKey {
  userId: string;
  deviceType: string;
  osName: string;
  browserName: string;
  countryCode: string | null;
}

/**
 * Serialises one user's logins until the transaction ends, so each is compared with every login
 * before it: 50 parallel logins from a new country flag exactly one, as 50 in a row would.
 * PostgreSQL: a transaction-scoped advisory lock per user (no row exists yet to lock). SQLite
 * needs none: its writers take turns on one connection, the reads within the write's transaction.
 */
export async function lockUserLogins(trx: Db, userId: string): Promise<void> {
  if (!isPostgres(trx)) return;
  await sql`select pg_advisory_xact_lock(hashtextextended(${`user-logins:${userId}`}, 0))`.execute(trx);
}

/**
 * Three EXISTS in one round trip, each answered by the first entry of an index (migration 012),
 * however many sessions the user has had.
 */
export function historyFactsQuery(db: Db, key: HistoryKey) {
  const ofUser = (eb: ExpressionBuilder<Schema, never>) =>
    eb.selectFrom('sessions').select(sql<number>`1`.as('one')).where('userId', '=', key.userId);
  return db.selectNoFrom((eb) => [
    eb.exists(ofUser(eb)).as('any'),
    eb
      .exists(
        ofUser(eb)
          .where('deviceType', '=', key.deviceType)
          .where('osName', '=', key.osName)
          .where('browserName', '=', key.browserName),
      )
      .as('deviceSeen'),
    key.countryCode === null
      ? sql<boolean>`false`.as('countrySeen')
      : eb.exists(ofUser(eb).where('countryCode', '=', key.countryCode)).as('countrySeen'),
  ]);
}

/** The user's most recent session with coordinates: the newest entry of a partial index. */
export function previousLocatedQuery(db: Db, userId: string) {
  return db
    .selectFrom('sessions')
    .select(['id', 'createdAt', 'latitude', 'longitude', 'city', 'region', 'country', 'countryCode'])
    .where('userId', '=', userId)
    .where('latitude', 'is not', null)
    .where('longitude', 'is not', null)
    .orderBy('createdAt', 'desc')
    .orderBy('id', 'desc')
    .limit(1);
}

/** What the user's earlier sessions, live or ended, say about a new login (see LoginHistory). */
export async function readLoginHistory(db: Db, key: HistoryKey): Promise<LoginHistory> {
  const facts = await historyFactsQuery(db, key).executeTakeFirstOrThrow();
  const previous = await previousLocatedQuery(db, key.userId).executeTakeFirst();
  // SQLite answers EXISTS as 0 or 1, PostgreSQL as a boolean.
  return {
    any: Boolean(facts.any),
    deviceSeen: Boolean(facts.deviceSeen),
    countrySeen: Boolean(facts.countrySeen),
    previous: previous ? toLocated(previous) : null,
  };
}

function toLocated(row: {
  id: string;
  createdAt: number | string;
  latitude: number | null;
  longitude: number | null;
  city: string | null;
  region: string | null;
  country: string | null;
  countryCode: string | null;
}): LocatedLogin {
  return {
    id: row.id,
    createdAt: Number(row.createdAt),
    latitude: row.latitude as number,
    longitude: row.longitude as number,
    location: placeName(row),
  };
}
