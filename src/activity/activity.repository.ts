import { type Kysely, type SelectQueryBuilder, sql } from 'kysely';
import { isPostgres } from '../db/dialect.js';
import type { Schema } from '../db/schema.js';
import type { ActivityListRow } from './activity.js';
import type { CursorPosition } from './cursor.js';
import type { ActivityFilter, SortKey } from './filter.js';

type Db = Kysely<Schema>;

/** Sort key columns, most significant first; time and id make every position unique. */
const SORT_COLUMNS: Record<SortKey, Array<'occurred_at' | 'username' | 'activity' | 'id'>> = {
  occurredAt: ['occurred_at', 'id'],
  username: ['username', 'occurred_at', 'id'],
  activity: ['activity', 'occurred_at', 'id'],
};

const LIST_COLUMNS = [
  'id',
  'occurredAt',
  'userId',
  'username',
  'activity',
  'status',
  'target',
  'details',
  'publicIp',
  'sessionId',
] as const;

/** The sort key values of a row, in SORT_COLUMNS order: what a cursor remembers. */
export function positionOf(row: ActivityListRow, sort: SortKey): CursorPosition {
  const values = { occurred_at: row.occurredAt, username: row.username, activity: row.activity, id: row.id };
  return SORT_COLUMNS[sort].map((column) => values[column]);
}

function escapeLike(text: string): string {
  return text.replace(/[\\%_]/g, (c) => `\\${c}`);
}

function filtered(db: Db, filter: ActivityFilter) {
  let query = db
    .selectFrom('activities')
    .where('orgId', '=', filter.orgId)
    .where('occurredAt', '>=', filter.from);
  if (filter.to !== null) query = query.where('occurredAt', '<', filter.to);
  if (filter.userId !== null) query = query.where('userId', '=', filter.userId);
  if (filter.username !== null) query = query.where('username', '=', filter.username);
  if (filter.activities.length > 0) query = query.where('activity', 'in', filter.activities);
  if (filter.text !== null) {
    const pattern = `%${escapeLike(filter.text)}%`;
    // SQLite's LIKE ignores ASCII case already; PostgreSQL needs ILIKE for the same answer.
    const like = sql.raw(isPostgres(db) ? 'ilike' : 'like');
    query = query.where(
      sql<boolean>`(target ${like} ${pattern} escape '\\' or details ${like} ${pattern} escape '\\')`,
    );
  }
  return query;
}

function ordered<O>(query: SelectQueryBuilder<Schema, 'activities', O>, filter: ActivityFilter) {
  let result = query;
  for (const column of SORT_COLUMNS[filter.sort]) result = result.orderBy(sql.ref(column), filter.order);
  return result;
}

/** One page (or export batch) after `after`, in the filter's order. */
export function selectActivityPage(
  db: Db,
  filter: ActivityFilter,
  options: { after: CursorPosition | null; limit: number },
): Promise<ActivityListRow[]> {
  let query = filtered(db, filter).select(LIST_COLUMNS);
  if (options.after !== null) {
    const columns = SORT_COLUMNS[filter.sort];
    if (options.after.length !== columns.length) return Promise.resolve([]);
    const op = sql.raw(filter.order === 'desc' ? '<' : '>');
    query = query.where(
      sql<boolean>`(${sql.join(columns.map((c) => sql.ref(c)))}) ${op} (${sql.join(options.after)})`,
    );
  }
  return ordered(query, filter).limit(options.limit).execute();
}

/** Counts matches, stopping at `cap` so a count over millions of rows stays fast. */
export async function countActivities(db: Db, filter: ActivityFilter, cap: number): Promise<number> {
  const capped = filtered(db, filter)
    .select(sql<number>`1`.as('one'))
    .limit(cap + 1);
  const row = await db
    .selectFrom(capped.as('capped'))
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

/** The activity names ever recorded in the org, for the filter dropdown. */
export async function listActivityNames(db: Db, orgId: string): Promise<string[]> {
  const rows = await db
    .selectFrom('activityNames')
    .select('name')
    .where('orgId', '=', orgId)
    .orderBy('name')
    .execute();
  return rows.map((r) => r.name);
}
