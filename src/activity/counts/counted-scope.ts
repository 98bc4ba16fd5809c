import type { HourCountDim } from '../activity.table.js';
import type { ActivityFilter } from '../search/filter.js';

export interface CountedScope {
  orgId: string;
  dim: HourCountDim;
  keys: readonly string[];
  statuses: readonly string[];
}

/**
 * Which of the hour counts hold a filter's rows: none (all), activities, a user id or a username,
 * each with any statuses. Undefined for what they do not keep: a text, or two of those at once.
 */
export function countedScope(filter: ActivityFilter): CountedScope | undefined {
  if (filter.text !== null) return undefined;
  const scope = (dim: HourCountDim, keys: readonly string[]) => ({
    orgId: filter.orgId,
    dim,
    keys,
    statuses: filter.statuses,
  });
  const named = [filter.userId !== null, filter.username !== null, filter.activities.length > 0];
  if (named.filter(Boolean).length > 1) return undefined;
  if (filter.userId !== null) return scope('user', [filter.userId]);
  if (filter.username !== null) return scope('username', [filter.username]);
  if (filter.activities.length > 0) return scope('activity', filter.activities);
  return scope('all', ['']);
}
