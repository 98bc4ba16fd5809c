import { FAILED_STATUSES, PERIODS, SORTS } from '../../../../src/contracts/activity-terms.ts';
import type { ActivityQuery, ActivitySort, Period, SortOrder } from '../../api/types.ts';
import { localMidnightIso } from '../../lib/time.ts';

/** A time period preset, or "custom" with a from/to day range. */
export type PeriodChoice = Period | 'custom';

/** A label for each of the server's periods: a period added there fails to compile here until named. */
const PERIOD_LABELS: Record<Period, string> = {
  '1d': '1 day',
  '7d': '7 days',
  '1m': '1 month',
  '6m': '6 months',
  '1y': '1 year',
};

export const PERIOD_OPTIONS: Array<{ value: PeriodChoice; label: string }> = [
  ...PERIODS.map((value) => ({ value, label: PERIOD_LABELS[value] })),
  { value: 'custom', label: 'Custom range' },
];

/** What the Activity Log shows, exactly as it is written in the page's URL (so it can be shared). */
export interface ActivityFilter {
  period: PeriodChoice;
  /**
   * Custom range: first and last local day, `YYYY-MM-DD`, both included; or, narrowed on the
   * chart, two ISO instants, the end left out.
   */
  from: string;
  to: string;
  userId: string;
  /** Activity names: the org's, or typed (the server matches them ignoring case). */
  activities: string[];
  /** One status, or '' for any. */
  status: string;
  q: string;
  sort: ActivitySort;
  order: SortOrder;
}

export const DEFAULT_FILTER: ActivityFilter = {
  period: '1m',
  from: '',
  to: '',
  userId: '',
  activities: [],
  status: '',
  q: '',
  sort: 'occurredAt',
  order: 'desc',
};

const PERIOD_VALUES = new Set<string>(PERIOD_OPTIONS.map((o) => o.value));
const SORT_VALUES = new Set<string>(SORTS);

/** Reads the filter from the URL's query, falling back to the defaults for anything missing or odd. */
export function filterFromSearch(search: URLSearchParams): ActivityFilter {
  const period = search.get('period') ?? '';
  const sort = search.get('sort') ?? '';
  const order = search.get('order');
  const from = search.get('from') ?? '';
  const to = search.get('to') ?? '';
  const custom = period === 'custom' || (!period && (from || to));
  return {
    period: custom ? 'custom' : PERIOD_VALUES.has(period) ? (period as PeriodChoice) : DEFAULT_FILTER.period,
    from: custom ? from : '',
    to: custom ? to : '',
    userId: search.get('user') ?? '',
    activities: [...new Set(search.getAll('activity').map((name) => name.trim()))].filter(Boolean),
    status: search.get('status') ?? '',
    q: search.get('q') ?? '',
    sort: SORT_VALUES.has(sort) ? (sort as ActivitySort) : DEFAULT_FILTER.sort,
    order: order === 'asc' || order === 'desc' ? order : sort && sort !== 'occurredAt' ? 'asc' : 'desc',
  };
}

/** The page URL's query for a filter; defaults are left out so links stay short. */
export function filterToSearch(filter: ActivityFilter): string {
  const params = new URLSearchParams();
  if (filter.period === 'custom') {
    params.set('period', 'custom');
    if (filter.from) params.set('from', filter.from);
    if (filter.to) params.set('to', filter.to);
  } else if (filter.period !== DEFAULT_FILTER.period) {
    params.set('period', filter.period);
  }
  if (filter.userId) params.set('user', filter.userId);
  for (const name of filter.activities) params.append('activity', name);
  if (filter.status) params.set('status', filter.status);
  if (filter.q.trim()) params.set('q', filter.q.trim());
  if (filter.sort !== DEFAULT_FILTER.sort || filter.order !== DEFAULT_FILTER.order) {
    params.set('sort', filter.sort);
    params.set('order', filter.order);
  }
  return params.toString();
}

/** A range narrowed on the chart holds instants (`2026-12-03T10:00:00.000Z`), not days. */
export function isInstant(value: string): boolean {
  return value.includes('T');
}

/** A problem with the filter that the form should show instead of asking the server, or null. */
export function filterProblem(filter: ActivityFilter): string | null {
  if (filter.period !== 'custom') return null;
  if (!filter.from || !filter.to) return 'A custom range needs a start and an end date.';
  if (filter.from > filter.to) return 'The start date must not be after the end date.';
  return null;
}

/** The API query for a filter: custom days become local midnights, the end day included. */
export function filterToQuery(filter: ActivityFilter): ActivityQuery {
  const query: ActivityQuery = { sort: filter.sort, order: filter.order };
  if (filter.period === 'custom') {
    query.from = isInstant(filter.from) ? filter.from : localMidnightIso(filter.from);
    query.to = isInstant(filter.to) ? filter.to : localMidnightIso(filter.to, 1);
  } else {
    query.period = filter.period;
  }
  if (filter.userId) query.userId = filter.userId;
  if (filter.activities.length) query.activity = filter.activities;
  // The page's Failed is every word for it: the product's own records say `failure`.
  if (filter.status) query.status = filter.status === 'failed' ? [...FAILED_STATUSES] : [filter.status];
  if (filter.q.trim()) query.q = filter.q.trim();
  return query;
}
