import type { Kysely } from 'kysely';
import type { Schema } from '../../db/schema.js';
import { HOUR_MS, hourOf } from '../../kernel/time.js';
import { countActivities } from '../activity.repository.js';
import type { ActivityFilter } from '../search/filter.js';
import { countedScope } from './counted-scope.js';
import { sumHourCounts } from './hour-counts.repository.js';

/**
 * How many rows the filter finds, counted up to `cap` (more means more than `cap`; the exact
 * number may come back when it is known anyway). Where the hour counts hold the filter, its whole
 * hours are summed from them and only the minutes before the first and after the last are
 * counted from the rows, each up to `cap` (decision 023): a status with a user or an activity
 * otherwise read hundreds of thousands of index entries to find `cap` of them.
 */
export async function countMatches(db: Kysely<Schema>, filter: ActivityFilter, cap: number): Promise<number> {
  const scope = countedScope(filter);
  const firstWhole = hourOf(filter.from + HOUR_MS - 1);
  const endWhole = filter.to === null ? null : hourOf(filter.to);
  if (scope === undefined || (endWhole !== null && endWhole <= firstWhole)) {
    return countActivities(db, filter, cap);
  }
  const whole = await sumHourCounts(db, scope, firstWhole, endWhole);
  if (whole > cap) return whole;
  const [head, tail] = await Promise.all([
    firstWhole > filter.from ? countActivities(db, { ...filter, to: firstWhole }, cap) : 0,
    endWhole !== null && endWhole < (filter.to as number)
      ? countActivities(db, { ...filter, from: endWhole }, cap)
      : 0,
  ]);
  return whole + head + tail;
}
