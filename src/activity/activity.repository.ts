import { type CompiledQuery, type Kysely, type SelectQueryBuilder, sql } from 'kysely';
import type { SortKey } from '../contracts/activity-terms.js';
import { isPostgres } from '../db/dialect.js';
import type { Schema } from '../db/schema.js';
import { invalidInput } from '../kernel/errors.js';
import { type ActivityListRow, EXPORT_COLUMNS, type ExportRow, ROW_FIELDS } from './activity.js';
import type { CursorPosition } from './search/cursor.js';
import type { ActivityFilter } from './search/filter.js';
import { textMatches } from './search/text-match.js';

type Db = Kysely<Schema>;

/** Sort key columns, most significant first; time and id make every position unique. */
const SORT_COLUMNS: Record<SortKey, Array<'occurred_at' | 'username' | 'activity' | 'id'>> = {
  occurredAt: ['occurred_at', 'id'],
  username: ['username', 'occurred_at', 'id'],
  activity: ['activity', 'occurred_at', 'id'],
};

/** The columns a page or an export reads, in ExportRow's order. */
const ACTIVITY_COLUMNS = [...ROW_FIELDS];
/** Where each sort key column sits in an ExportRow. */
const exportIndex = (field: (typeof EXPORT_COLUMNS)[number]['field']) =>
  EXPORT_COLUMNS.findIndex((column) => column.field === field);
const EXPORT_INDEX = {
  occurred_at: exportIndex('occurredAt'),
  username: exportIndex('username'),
  activity: exportIndex('activity'),
  id: exportIndex('id'),
};

/** The sort key values of a row, in SORT_COLUMNS order: what a cursor remembers. */
export function positionOf(row: ActivityListRow, sort: SortKey): CursorPosition {
  const values = { occurred_at: row.occurredAt, username: row.username, activity: row.activity, id: row.id };
  return SORT_COLUMNS[sort].map((column) => values[column]);
}

/** The rows of an org that match a filter, unselected (pages, counts and the histogram build on it). */
export function filtered(db: Db, filter: ActivityFilter) {
  const query = matchingAnyTime(db, filter).where('occurredAt', '>=', filter.from);
  return filter.to === null ? query : query.where('occurredAt', '<', filter.to);
}

/** The same rows at any time: for a caller that bounds the time itself. */
export function matchingAnyTime(db: Db, filter: ActivityFilter) {
  let query = db.selectFrom('activities').where('orgId', '=', filter.orgId);
  if (filter.userId !== null) query = query.where('userId', '=', filter.userId);
  if (filter.username !== null) query = query.where('username', '=', filter.username);
  if (filter.activities.length > 0) query = query.where('activity', 'in', filter.activities);
  if (filter.statuses.length > 0) query = query.where('status', 'in', filter.statuses);
  if (filter.text !== null) query = query.where(textMatches(db, filter.text, filter.textCandidates));
  return query;
}

function ordered<O>(query: SelectQueryBuilder<Schema, 'activities', O>, filter: ActivityFilter) {
  let result = query;
  for (const column of SORT_COLUMNS[filter.sort]) result = result.orderBy(sql.ref(column), filter.order);
  return result;
}

/** The filtered rows after `after` (all of them for null), in no order yet. */
function pageQuery(db: Db, filter: ActivityFilter, after: CursorPosition | null) {
  if (after === null) return filtered(db, filter);
  const columns = SORT_COLUMNS[filter.sort];
  const op = sql.raw(filter.order === 'desc' ? '<' : '>');
  return filtered(db, filter).where(
    sql<boolean>`(${sql.join(columns.map((c) => sql.ref(c)))}) ${op} (${sql.join(after)})`,
  );
}

/** Whether a cursor's position fits the filter's sort (a cursor from another sort finds nothing). */
const fitsSort = (after: CursorPosition | null, filter: ActivityFilter) =>
  after === null || after.length === SORT_COLUMNS[filter.sort].length;

/** One page after `after`, in the filter's order. */
export function selectActivityPage(
  db: Db,
  filter: ActivityFilter,
  options: { after: CursorPosition | null; limit: number },
): Promise<ActivityListRow[]> {
  if (!fitsSort(options.after, filter)) return Promise.resolve([]);
  return activityPageQuery(db, filter, options).execute();
}

/** A page's query, unrun (the plan tests read what the engines make of it). */
export function activityPageQuery(
  db: Db,
  filter: ActivityFilter,
  options: { after: CursorPosition | null; limit: number },
) {
  const query = pageQuery(db, filter, options.after).select(ACTIVITY_COLUMNS);
  return ordered(query, filter).limit(options.limit);
}

/**
 * One export batch after `after`: the page query, compiled to be read as arrays (no per-row
 * objects; an export is millions of rows), here or in the export worker.
 */
export function exportBatchQuery(
  db: Db,
  filter: ActivityFilter,
  options: { after: CursorPosition | null; limit: number },
): CompiledQuery {
  const query = pageQuery(db, filter, options.after).select(ACTIVITY_COLUMNS);
  return ordered(query, filter).limit(options.limit).compile();
}

/** A text column as csv.ts writes it: formula triggers neutralised, NULL and '' both left empty. */
function csvText(column: string) {
  // An object's details are written as their JSON (decision 018), a string's as it is.
  const ref = column === 'details' ? sql`coalesce(details_json, details)` : sql.ref(column);
  // ascii() of = + - @ tab CR: a third cheaper than comparing left(…, 1) strings (COPY of 9.4M rows).
  return sql<string>`nullif(case when ascii(${ref}) in (61, 43, 45, 64, 9, 13) then '''' || ${ref} else ${ref} end, '')`;
}

/**
 * PostgreSQL: the whole export as one query whose rows are the CSV's cells (formulas neutralised)
 * but for the time, left in epoch milliseconds for copy-csv-records.ts to format (cheaper there
 * than `to_char`), for `COPY ... TO STDOUT WITH (FORMAT csv)` to quote and write. Kept byte for
 * byte equal to csv.ts's output by the export tests, which run on both engines.
 */
export function exportCopyQuery(db: Db, filter: ActivityFilter): CompiledQuery {
  // The two numbers go as they are (the time is formatted later); every text is made a safe cell.
  const cells = EXPORT_COLUMNS.map(({ field }, i) => {
    const column = field.replace(/[A-Z]/g, (letter) => `_${letter.toLowerCase()}`);
    return field === 'occurredAt' || field === 'id'
      ? sql.ref(column).as(`c${i}`)
      : csvText(column).as(`c${i}`);
  });
  return ordered(filtered(db, filter).select(cells), filter).compile();
}

/** The sort key values of an exported row: where the next export batch starts. */
export function exportPositionOf(row: ExportRow, sort: SortKey): CursorPosition {
  // The sort columns (time, username, activity, id) are never null.
  return SORT_COLUMNS[sort].map((column) => row[EXPORT_INDEX[column]] as string | number);
}

/** Counts matches, stopping at `cap` so a count over millions of rows stays fast. */
export async function countActivities(db: Db, filter: ActivityFilter, cap: number): Promise<number> {
  const row = await countActivitiesQuery(db, filter, cap).executeTakeFirstOrThrow();
  return Number(row.n);
}

/** The capped count's query, unrun (the plan tests read it). */
export function countActivitiesQuery(db: Db, filter: ActivityFilter, cap: number) {
  const capped = filtered(db, filter)
    .select(sql<number>`1`.as('one'))
    .limit(cap + 1);
  return db.selectFrom(capped.as('capped')).select((eb) => eb.fn.countAll<number>().as('n'));
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

/** An org's distinct activity names are capped: each one is in every user's dropdown. */
export const MAX_ACTIVITY_NAMES_PER_ORG = 500;

/**
 * Adds the names an ingest call brings that the org does not have yet, or refuses the call
 * (400 naming the first event over the cap). The count and the insert happen under a lock per
 * org, so calls arriving at once cannot overrun the cap between them; a call that then fails
 * may leave its new names behind, which only shows them in the dropdown.
 */
export async function registerActivityNames(db: Db, orgId: string, names: readonly string[]): Promise<void> {
  const wanted = [...new Set(names)];
  const missing = async (q: Db) => {
    const known = await q
      .selectFrom('activityNames')
      .select('name')
      .where('orgId', '=', orgId)
      .where('name', 'in', wanted)
      .execute();
    const have = new Set(known.map((r) => r.name));
    return wanted.filter((name) => !have.has(name));
  };
  if ((await missing(db)).length === 0) return;
  await db.transaction().execute(async (trx) => {
    if (isPostgres(trx)) {
      await sql`select pg_advisory_xact_lock(hashtextextended(${`activity_names:${orgId}`}, 0))`.execute(trx);
    }
    const fresh = await missing(trx);
    if (fresh.length === 0) return;
    const { n } = await trx
      .selectFrom('activityNames')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('orgId', '=', orgId)
      .executeTakeFirstOrThrow();
    const room = MAX_ACTIVITY_NAMES_PER_ORG - Number(n);
    if (fresh.length > room) {
      const over = fresh[Math.max(0, room)] as string;
      throw invalidInput(
        `events[${names.indexOf(over)}].activity: "${over}" would be a new activity name, and the org has reached its ${MAX_ACTIVITY_NAMES_PER_ORG} (use one of its names: GET /api/activity-types)`,
      );
    }
    await trx
      .insertInto('activityNames')
      .values(fresh.map((name) => ({ orgId, name })))
      .onConflict((oc) => oc.columns(['orgId', 'name']).doNothing())
      .execute();
  });
}

/** The activities recorded with one session, its newest `limit`, oldest first (the session's timeline). */
export async function listSessionActivities(
  db: Db,
  filter: { orgId: string; sessionId: string; userId: string | null },
  limit: number,
): Promise<ActivityListRow[]> {
  let query = db
    .selectFrom('activities')
    .select(ACTIVITY_COLUMNS)
    .where('sessionId', '=', filter.sessionId)
    .where('orgId', '=', filter.orgId);
  if (filter.userId !== null) query = query.where('userId', '=', filter.userId);
  const rows = await query.orderBy('occurredAt', 'desc').orderBy('id', 'desc').limit(limit).execute();
  return rows.reverse();
}
