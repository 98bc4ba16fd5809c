import type { Kysely } from 'kysely';
import type { ActivityHistogram } from '../contracts/activity.js';
import type { Schema } from '../db/schema.js';
import { countActivityBuckets } from './activity-buckets.repository.js';
import { rolledUpBucketCounts, servedByHourCounts } from './counts/rolled-up-buckets.js';
import type { ActivityFilter } from './search/filter.js';
import { bucketCount, chooseInterval, fillBuckets } from './search/histogram.js';

/**
 * The filter's matches over its period, counted per bucket (30 to 100 of them): from the hour
 * counts where the buckets are whole hours and the filter is one they keep, else from the rows.
 */
export async function activityHistogram(
  db: Kysely<Schema>,
  filter: ActivityFilter,
  now: number,
): Promise<ActivityHistogram> {
  const until = filter.to ?? now;
  const interval = chooseInterval(until - filter.from);
  const buckets = bucketCount(filter.from, until, interval);
  const counts = servedByHourCounts(filter, interval.ms)
    ? await rolledUpBucketCounts(db, filter, interval.ms, buckets)
    : await countActivityBuckets(db, filter, interval.ms, buckets);
  return { interval: interval.name, buckets: fillBuckets(filter.from, until, interval, counts) };
}
