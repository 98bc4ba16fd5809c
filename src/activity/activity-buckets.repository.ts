import { type Kysely, sql } from 'kysely';
import { FAILED_STATUSES } from '../contracts/activity-terms.js';
import { isPostgres } from '../db/dialect.js';
import type { Schema } from '../db/schema.js';
import { filtered, matchingAnyTime } from './activity.repository.js';
import type { ActivityFilter } from './search/filter.js';

type Db = Kysely<Schema>;

export type BucketCounts = Array<{ index: number; total: number; failed: number }>;

/**
 * The filter's matches counted in `buckets` buckets of `intervalMs` from `filter.from` (the
 * histogram), the last one up to the filter's end (none: every later row), in the database: the
 * rows are read from the same indexes as a search's, never brought into Node.
 *
 * SQLite counts each bucket as two ranges of an index (all rows; the failed ones, from the status
 * index), one statement for all: grouping by a computed bucket sorted every row of the period in
 * a temporary tree. PostgreSQL groups (counting bucket by bucket was no faster there, decision
 * 022), and so does SQLite for a text, whose rows are read one by one either way.
 */
export async function countActivityBuckets(
  db: Db,
  filter: ActivityFilter,
  intervalMs: number,
  buckets: number,
): Promise<BucketCounts> {
  if (isPostgres(db) || filter.text !== null) return groupedBucketCounts(db, filter, intervalMs);
  const ranges = Array.from({ length: buckets }, (_, index) => ({
    from: filter.from + index * intervalMs,
    to: index === buckets - 1 ? filter.to : filter.from + (index + 1) * intervalMs,
  }));
  return (await countRanges(db, filter, ranges)).map((count, index) => ({ index, ...count }));
}

/**
 * The filter's matches in each time range, and how many of them failed, in one statement: a list
 * of the ranges, and for each two counts of an index range (all; the failed, from the status
 * index). The counts are subqueries of the list's columns, so each is planned once whatever the
 * number of ranges: PostgreSQL planned a subquery per range for longer than it ran them.
 */
export async function countRanges(
  db: Db,
  filter: ActivityFilter,
  ranges: ReadonlyArray<{ from: number; to: number | null }>,
): Promise<Array<{ total: number; failed: number }>> {
  if (ranges.length === 0) return [];
  // The failed among the filter's rows: its statuses that count as failed (all, without statuses).
  const failed = FAILED_STATUSES.filter((s) => filter.statuses.length === 0 || filter.statuses.includes(s));
  const count = (f: ActivityFilter) =>
    sql<number>`(${matchingAnyTime(db, f)
      .where(sql<boolean>`occurred_at >= r.column2 and occurred_at < r.column3`)
      .select(sql<number>`count(*)`.as('n'))})`;
  const list = sql.join(
    ranges.map(
      (range, i) =>
        sql`(cast(${i} as integer), cast(${range.from} as bigint), cast(${range.to ?? Number.MAX_SAFE_INTEGER} as bigint))`,
    ),
  );
  const { rows } = await sql<{ i: number; total: number; failed: number }>`select r.column1 as i,
      ${count(filter)} as total,
      ${failed.length === 0 ? sql`0` : count({ ...filter, statuses: failed })} as failed
    from (values ${list}) as r`.execute(db);
  const found = ranges.map(() => ({ total: 0, failed: 0 }));
  for (const row of rows) found[Number(row.i)] = { total: Number(row.total), failed: Number(row.failed) };
  return found;
}

/** The bucket of each row computed and grouped by; rows after the last bucket are fillBuckets' to place. */
async function groupedBucketCounts(
  db: Db,
  filter: ActivityFilter,
  intervalMs: number,
): Promise<BucketCounts> {
  const rows = await filtered(db, filter)
    .select([
      sql<number>`cast((occurred_at - ${filter.from}) / ${intervalMs} as integer)`.as('bucket'),
      sql<number>`count(*)`.as('total'),
      sql<number>`sum(case when status in (${sql.join([...FAILED_STATUSES])}) then 1 else 0 end)`.as(
        'failed',
      ),
    ])
    .groupBy(sql`1`)
    .execute();
  return rows.map((row) => ({
    index: Number(row.bucket),
    total: Number(row.total),
    failed: Number(row.failed),
  }));
}
