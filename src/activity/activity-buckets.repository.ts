import { type Kysely, sql } from 'kysely';
import { FAILED_STATUSES } from '../contracts/activity-terms.js';
import { isPostgres } from '../db/dialect.js';
import type { Schema } from '../db/schema.js';
import { filtered } from './activity.repository.js';
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
 * The filter's matches in each time range, and how many of them failed, in one statement: two
 * counts of an index range per range (all; the failed, from the status index).
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
    sql<number>`(${filtered(db, f).select(sql<number>`count(*)`.as('n'))})`;
  const columns = ranges.flatMap((range, i) => [
    count({ ...filter, ...range }).as(`t${i}`),
    (failed.length === 0 ? sql<number>`0` : count({ ...filter, ...range, statuses: failed })).as(`f${i}`),
  ]);
  const row: Record<string, unknown> = await db.selectNoFrom(columns).executeTakeFirstOrThrow();
  return ranges.map((_, i) => ({ total: Number(row[`t${i}`]), failed: Number(row[`f${i}`]) }));
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
