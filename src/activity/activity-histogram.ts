import type { Kysely } from 'kysely';
import type { ActivityHistogram } from '../contracts/activity.js';
import type { Schema } from '../db/schema.js';
import { countActivityBuckets } from './activity-buckets.repository.js';
import type { ActivityFilter } from './search/filter.js';
import { bucketCount, chooseInterval, fillBuckets } from './search/histogram.js';

/** The filter's matches over its period, counted per bucket (30 to 100 of them). */
export async function activityHistogram(
  db: Kysely<Schema>,
  filter: ActivityFilter,
  now: number,
): Promise<ActivityHistogram> {
  const until = filter.to ?? now;
  const interval = chooseInterval(until - filter.from);
  const counts = await countActivityBuckets(
    db,
    filter,
    interval.ms,
    bucketCount(filter.from, until, interval),
  );
  return { interval: interval.name, buckets: fillBuckets(filter.from, until, interval, counts) };
}
