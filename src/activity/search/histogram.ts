/** How the histogram cuts a period: whole, named intervals, 30 to 100 of them where possible. */

export interface HistogramInterval {
  /** As the API names it: `15m`, `1h`, `7d`. */
  name: string;
  ms: number;
}

const SECOND = 1_000;
const MINUTE = 60 * SECOND;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

/** Smallest first. Each divides a day or is whole days, so bars read as hours and days. */
export const INTERVALS: readonly HistogramInterval[] = [
  { name: '1s', ms: SECOND },
  { name: '2s', ms: 2 * SECOND },
  { name: '5s', ms: 5 * SECOND },
  { name: '15s', ms: 15 * SECOND },
  { name: '30s', ms: 30 * SECOND },
  { name: '1m', ms: MINUTE },
  { name: '2m', ms: 2 * MINUTE },
  { name: '5m', ms: 5 * MINUTE },
  { name: '10m', ms: 10 * MINUTE },
  { name: '15m', ms: 15 * MINUTE },
  { name: '30m', ms: 30 * MINUTE },
  { name: '1h', ms: HOUR },
  { name: '3h', ms: 3 * HOUR },
  { name: '6h', ms: 6 * HOUR },
  { name: '12h', ms: 12 * HOUR },
  { name: '1d', ms: DAY },
  { name: '3d', ms: 3 * DAY },
  { name: '7d', ms: 7 * DAY },
  { name: '14d', ms: 14 * DAY },
  { name: '30d', ms: 30 * DAY },
  // Longer periods than a person browses, but a date the API takes: 0001-01-01 to 9999-12-31.
  { name: '90d', ms: 90 * DAY },
  { name: '180d', ms: 180 * DAY },
  { name: '365d', ms: 365 * DAY },
  { name: '730d', ms: 730 * DAY },
  { name: '1825d', ms: 1_825 * DAY },
  { name: '3650d', ms: 3_650 * DAY },
  { name: '7300d', ms: 7_300 * DAY },
  { name: '18250d', ms: 18_250 * DAY },
  { name: '36500d', ms: 36_500 * DAY },
  { name: '73000d', ms: 73_000 * DAY },
];

export const MAX_BUCKETS = 100;

/**
 * The smallest interval that cuts the period into at most MAX_BUCKETS. No step is more than 3.34
 * times the one before it, so that is also at least 30 buckets, for any period from 30 s to the
 * 10,000 years the API's dates span (histogram.test.ts). Thousands of buckets for a period of
 * centuries were thousands of ranges counted in one statement, which failed.
 */
export function chooseInterval(periodMs: number): HistogramInterval {
  const fits = INTERVALS.find((interval) => Math.ceil(periodMs / interval.ms) <= MAX_BUCKETS);
  return fits ?? (INTERVALS[INTERVALS.length - 1] as HistogramInterval);
}

export interface BucketCount {
  /** Which bucket: (occurredAt − from) divided by the interval, rounded down. */
  index: number;
  total: number;
  failed: number;
}

export interface HistogramBucket {
  start: string;
  total: number;
  failed: number;
}

/** How many buckets the period from `from` to `until` has: at least one. */
export function bucketCount(from: number, until: number, interval: HistogramInterval): number {
  return Math.max(1, Math.ceil((until - from) / interval.ms));
}

/**
 * Every bucket of the period in order, the empty ones as 0. A period without an end is counted
 * as the search counts it, so the last bucket also holds the rows at or after `until` (recorded
 * the instant the request came, or sent by a job whose clock runs ahead): the bars add up to the
 * search's total.
 */
export function fillBuckets(
  from: number,
  until: number,
  interval: HistogramInterval,
  counts: readonly BucketCount[],
): HistogramBucket[] {
  const count = bucketCount(from, until, interval);
  const buckets = Array.from({ length: count }, (_, index) => ({
    start: new Date(from + index * interval.ms).toISOString(),
    total: 0,
    failed: 0,
  }));
  for (const found of counts) {
    const bucket = buckets[Math.min(found.index, count - 1)] as HistogramBucket;
    bucket.total += found.total;
    bucket.failed += found.failed;
  }
  return buckets;
}
