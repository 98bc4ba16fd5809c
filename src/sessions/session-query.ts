import {
  type Expression,
  type ExpressionBuilder,
  type Kysely,
  type SqlBool,
  sql,
  type Transaction,
} from 'kysely';
import type { SessionFlag, SessionSort } from '../contracts/sessions.js';
import { isPostgres } from '../db/dialect.js';
import type { Schema } from '../db/schema.js';
import type { SessionRow, SessionTable } from './session.table.js';
import { noPendingEnding } from './session-endings.repository.js';
import { like, textMatches } from './session-text-match.js';

type Db = Kysely<Schema>;

/** Live sessions of one org that match the list's filters, in the stored form the columns hold. */
export interface SessionQuery {
  orgId: string;
  userId?: string | undefined;
  /** Canonical (lower-case) username. */
  username?: string | undefined;
  /** Upper-case ISO code. */
  country?: string | undefined;
  /** As `Session.deviceType` shows it. */
  deviceType?: string | undefined;
  /** `os_name` / `browser_name`: lower-case, without the version. */
  osName?: string | undefined;
  browserName?: string | undefined;
  /** Lower-case text: an IP prefix, or a substring of the username or city. */
  q?: string | undefined;
  /** SQLite: few sessions can match `q`, so read those first (fewTextCandidates). */
  candidatesFirst?: boolean | undefined;
  flag?: SessionFlag | undefined;
  /** Only these sessions. */
  ids?: readonly string[] | undefined;
  /** Never this one (a Logout by filter spares the caller's own session). */
  exceptId?: string | null | undefined;
  now: number;
  /** The org's idle window in force, already widened by how far stored accesses lag. */
  idleMs: number;
  /** The org's lifetime in force: a session that began longer ago is over, whatever its stored end. */
  maxMs: number;
}

export type SortOrder = 'asc' | 'desc';

/** How a Logout by filter's batch locks its rows on PostgreSQL (matchingSessions). */
export type BatchLock = 'skip' | 'wait';

/** Reads a Logout by filter's next batch (and on PostgreSQL locks it) in the batch's transaction. */
export type BatchSelector = (
  limit: number,
  trx: Transaction<Schema>,
  lock: BatchLock,
) => Promise<SessionRow[]>;

/**
 * A Logout by filter's batches: a selector, made afresh for each batch before its transaction, as
 * making it reads (the org's limits) through the pool: inside, with every connection held by
 * such a transaction, that read would wait for a connection forever.
 */
export type MatchingSessions = () => Promise<BatchSelector>;

/**
 * The key each sort orders by, ending in last access and id so every page has a strict place to
 * continue from; each is the tail of one of the live indexes (migration 010).
 */
const SORT_KEYS: Record<SessionSort, readonly string[]> = {
  lastAccessAt: ['s.last_access_at', 's.id'],
  createdAt: ['s.created_at', 's.id'],
  username: ['s.username', 's.last_access_at', 's.id'],
  country: ["coalesce(s.country_code, '')", 's.last_access_at', 's.id'],
};

/** How many values a cursor for this sort holds, and of what kind. */
export function sortKeyKinds(sort: SessionSort): Array<'number' | 'string'> {
  return SORT_KEYS[sort].map((column) => (column.endsWith('_at') ? 'number' : 'string'));
}

type SessionsAsS = Schema & { s: SessionTable };

/** The conditions a live session of the query matches, for a `where`. */
function matches(db: Db, eb: ExpressionBuilder<SessionsAsS, 's'>, f: SessionQuery): Expression<SqlBool> {
  const all: Expression<SqlBool>[] = [
    eb('s.orgId', '=', f.orgId),
    eb('s.revokedAt', 'is', null),
    eb('s.expiresAt', '>', f.now),
    eb('s.createdAt', '>', f.now - f.maxMs),
    eb('s.lastAccessAt', '>', f.now - f.idleMs),
    noPendingEnding(db, 's.id'),
  ];
  if (f.userId !== undefined) all.push(eb('s.userId', '=', f.userId));
  if (f.username !== undefined) all.push(eb('s.username', '=', f.username));
  if (f.country !== undefined) all.push(sql<SqlBool>`coalesce(s.country_code, '') = ${f.country}`);
  if (f.deviceType !== undefined) all.push(eb('s.deviceType', '=', f.deviceType));
  if (f.osName !== undefined) all.push(eb('s.osName', '=', f.osName));
  if (f.browserName !== undefined) all.push(eb('s.browserName', '=', f.browserName));
  if (f.flag !== undefined) {
    // `flags <> ''` as written in the partial index's predicate, so the planner can use it.
    all.push(eb('s.flags', '<>', ''), like('s.flags', `%${f.flag}%`));
  }
  if (f.q !== undefined) {
    all.push(textMatches(f.orgId, f.q, f.candidatesFirst === true));
  }
  if (f.ids !== undefined) all.push(eb('s.id', 'in', f.ids));
  if (f.exceptId !== undefined && f.exceptId !== null) all.push(eb('s.id', '<>', f.exceptId));
  return eb.and(all);
}

export interface PageRequest {
  sort: SessionSort;
  order: SortOrder;
  limit: number;
  /** The sort key of the last row of the previous page. */
  after?: ReadonlyArray<string | number> | undefined;
}

/** One page of matching live sessions, plus one row more to tell whether another page follows. */
export function listSessionPage(db: Db, f: SessionQuery, page: PageRequest): Promise<SessionRow[]> {
  return sessionPageQuery(db, f, page).execute();
}

/** The page's query, unrun (the plan tests read what the engines make of it). */
export function sessionPageQuery(db: Db, f: SessionQuery, page: PageRequest) {
  const keys = SORT_KEYS[page.sort];
  let query = db
    .selectFrom('sessions as s')
    .where((eb) => matches(db, eb, f))
    .selectAll('s');
  if (page.after !== undefined) {
    const columns = sql.join(keys.map((k) => sql.raw(k)));
    const values = sql.join(page.after.map((v) => sql`${v}`));
    query = query.where(
      page.order === 'desc'
        ? sql<SqlBool>`(${columns}) < (${values})`
        : sql<SqlBool>`(${columns}) > (${values})`,
    );
  }
  for (const key of keys) query = query.orderBy(sql.raw(key), page.order);
  return query.limit(page.limit + 1);
}

/** The sort key of a row, as a cursor holds it. */
export function sortKeyOf(row: SessionRow, sort: SessionSort): Array<string | number> {
  switch (sort) {
    case 'lastAccessAt':
      return [row.lastAccessAt, row.id];
    case 'createdAt':
      return [row.createdAt, row.id];
    case 'username':
      return [row.username, row.lastAccessAt, row.id];
    case 'country':
      return [row.countryCode ?? '', row.lastAccessAt, row.id];
  }
}

/** Matching live sessions, counted up to `cap + 1` so a huge org costs no more than the cap. */
export async function countSessions(db: Db, f: SessionQuery, cap: number): Promise<number> {
  const row = await withCountPlan(db, f, (executor) =>
    countSessionsQuery(executor, f, cap).executeTakeFirstOrThrow(),
  );
  return Number(row.n);
}

/**
 * Runs `count` as the capped count must be planned. PostgreSQL takes the idle window of an org
 * whose ended sessions are older than its live ones for a few rows of its live index, and reads
 * them by bitmap, which cannot stop at the cap: the whole index range first, then the rows. Without
 * bitmaps it walks the filter's live index and stops at the cap. `q` keeps them: its trigram index
 * is read by bitmap only.
 */
export function withCountPlan<T>(db: Db, f: SessionQuery, count: (executor: Db) => Promise<T>): Promise<T> {
  if (!isPostgres(db) || f.q !== undefined) return count(db);
  return db.transaction().execute(async (trx) => {
    await sql`set local enable_bitmapscan = off`.execute(trx);
    return count(trx);
  });
}

/** The capped count's query, unrun (the plan tests read it). */
export function countSessionsQuery(db: Db, f: SessionQuery, cap: number) {
  const capped = db
    .selectFrom('sessions as s')
    .where((eb) => matches(db, eb, f))
    .select(sql.lit(1).as('one'))
    .limit(cap + 1)
    .as('capped');
  return db.selectFrom(capped).select((eb) => eb.fn.countAll<number | string>().as('n'));
}

/**
 * Up to `limit` matching live sessions (a Logout by filter, one batch at a time), most recently
 * used first: in the order of the filter's live index, which the planner then walks. Unordered,
 * SQLite preferred the lifetime's range on the created index and read the whole org per batch.
 * PostgreSQL also locks them, in the batch's transaction: `skip` takes only rows no one holds (so
 * batches running side by side take different rows, and never wait, so never deadlock); `wait`
 * waits for held rows, locking in id order as every writer of endings does (endSessionRows).
 */
export function matchingSessions(
  db: Db,
  f: SessionQuery,
  limit: number,
  lock: BatchLock,
): Promise<SessionRow[]> {
  const chosen = db
    .selectFrom('sessions as s')
    .where((eb) => matches(db, eb, f))
    .orderBy('s.lastAccessAt', 'desc')
    .orderBy('s.id', 'desc')
    .limit(limit);
  if (!isPostgres(db)) return chosen.selectAll('s').execute();
  if (lock === 'skip') return chosen.selectAll('s').forUpdate().skipLocked().execute();
  return (
    db
      .selectFrom('sessions as s')
      .selectAll('s')
      .where('s.id', 'in', chosen.select('s.id'))
      // Read again under the lock: a writer that held it may have written an ending into the row.
      .where('s.revokedAt', 'is', null)
      .orderBy('s.id')
      .forUpdate()
      .execute()
  );
}
