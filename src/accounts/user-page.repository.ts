import { type Kysely, sql } from 'kysely';
import { isPostgres } from '../db/dialect.js';
import type { Schema } from '../db/schema.js';
import { prefixEnd } from '../kernel/prefix-end.js';
import type { UserRow } from './accounts.table.js';

type Db = Kysely<Schema>;

/** One page of an org's users by username: those starting with `prefix`, after `after`. */
export interface UserPageQuery {
  orgId: string;
  /** A normalised username prefix, or none for everyone. */
  prefix?: string | undefined;
  /** The last username of the page before. */
  after?: string | undefined;
}

/**
 * Usernames in byte order on both engines, so a page, its cursor and a prefix's range agree
 * whatever the database's collation is: PostgreSQL's `en_US` ignores punctuation (`a.c` sorts
 * between `ab` and `ac`), which would put users outside a prefix's range. Migration 015 indexes
 * this expression on PostgreSQL; SQLite compares bytes already (users_org_idx).
 */
function usernameKey(db: Db) {
  return isPostgres(db) ? sql<string>`username collate "C"` : sql<string>`username`;
}

function matchingUsers(db: Db, q: UserPageQuery) {
  let query = db.selectFrom('users').where('orgId', '=', q.orgId);
  const key = usernameKey(db);
  // A range rather than LIKE: SQLite's LIKE uses no index on a case-sensitive column.
  if (q.prefix) {
    query = query.where(key, '>=', q.prefix);
    const end = prefixEnd(q.prefix);
    if (end !== undefined) query = query.where(key, '<', end);
  }
  if (q.after !== undefined) query = query.where(key, '>', q.after);
  return query;
}

/** Up to `limit + 1` users of the page (the one more says whether another page follows), unrun. */
export function userPageQuery(db: Db, q: UserPageQuery, limit: number) {
  return matchingUsers(db, q)
    .selectAll()
    .orderBy(usernameKey(db))
    .limit(limit + 1);
}

export function listUserPage(db: Db, q: UserPageQuery, limit: number): Promise<UserRow[]> {
  return userPageQuery(db, q, limit).execute();
}

/** How many users match (not the page's cursor), counted up to `cap + 1`, unrun. */
export function matchingCountQuery(db: Db, q: Omit<UserPageQuery, 'after'>, cap: number) {
  const capped = matchingUsers(db, { ...q, after: undefined })
    .select(sql.lit(1).as('one'))
    .limit(cap + 1)
    .as('capped');
  return db.selectFrom(capped).select((eb) => eb.fn.countAll<number | string>().as('n'));
}

export async function countMatchingUsers(
  db: Db,
  q: Omit<UserPageQuery, 'after'>,
  cap: number,
): Promise<number> {
  const row = await matchingCountQuery(db, q, cap).executeTakeFirstOrThrow();
  return Number(row.n);
}
