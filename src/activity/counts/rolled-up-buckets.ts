import type { Kysely } from 'kysely';
import type { Schema } from '../../db/schema.js';
import { HOUR_MS, hourOf } from '../../kernel/time.js';
import { type BucketCounts, countRanges } from '../activity-buckets.repository.js';
import type { ActivityFilter } from '../search/filter.js';
import { countedScope } from './counted-scope.js';
import { hourCountsByBucket } from './hour-counts.repository.js';

/** Whether the histogram's buckets can be read from the hour counts: whole hours, a filter they keep. */
export function servedByHourCounts(filter: ActivityFilter, intervalMs: number): boolean {
  return intervalMs % HOUR_MS === 0 && countedScope(filter) !== undefined;
}

/**
 * The buckets from the hour counts (decision 023). Each counted hour goes to one bucket, the hour
 * of `from` to the first. Where the buckets do not start on the hour, the minutes of an hour that
 * belong elsewhere are counted from the rows (the same indexes a search reads) and moved:
 * - before `from`, in its hour: taken out of the first bucket;
 * - at each bucket's start, the shorter side of its hour: an hour goes to the bucket its start
 *   falls in when a bucket starts in its second half, and the minutes from that start to the
 *   hour's end are moved into that bucket; otherwise to the bucket its end falls in, and the
 *   minutes before that start are moved back to the bucket before;
 * - from `to` to the end of its hour: taken out of the last bucket.
 * Buckets are whole hours (`servedByHourCounts`), so their starts are all as far past the hour:
 * no range counted from the rows is longer than half an hour, but the first's.
 */
export async function rolledUpBucketCounts(
  db: Kysely<Schema>,
  filter: ActivityFilter,
  intervalMs: number,
  buckets: number,
): Promise<BucketCounts> {
  const scope = countedScope(filter);
  if (scope === undefined) throw new Error('the hour counts cannot answer this filter');
  const pastTheHour = filter.from - hourOf(filter.from);
  const byHourEnd = pastTheHour > 0 && pastTheHour <= HOUR_MS / 2;
  const counted = await hourCountsByBucket(db, scope, {
    from: filter.from,
    to: filter.to,
    intervalMs,
    byHourEnd,
  });
  const moves: Array<{ from: number; to: number; out: number; into: number | null }> = [];
  if (pastTheHour > 0) {
    moves.push({ from: hourOf(filter.from), to: filter.from, out: 0, into: null });
    for (let index = 1; index < buckets; index++) {
      const start = filter.from + index * intervalMs;
      moves.push(
        byHourEnd
          ? { from: hourOf(start), to: start, out: index, into: index - 1 }
          : { from: start, to: hourOf(start) + HOUR_MS, out: index - 1, into: index },
      );
    }
  }
  if (filter.to !== null && filter.to !== hourOf(filter.to)) {
    moves.push({ from: filter.to, to: hourOf(filter.to) + HOUR_MS, out: buckets - 1, into: null });
  }
  // The rows of each move as the filter finds them, in those minutes instead of its period.
  const found = await countRanges(
    db,
    filter,
    moves.map((move) => ({ from: move.from, to: move.to })),
  );
  const corrections = moves.flatMap((move, i) => {
    const { total, failed } = found[i] as { total: number; failed: number };
    const out = { index: move.out, total: -total, failed: -failed };
    return move.into === null ? [out] : [out, { index: move.into, total, failed }];
  });
  return [...counted, ...corrections];
}
