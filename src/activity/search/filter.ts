import type { Period, SortKey, SortOrder } from '../../contracts/activity-terms.js';
import { invalidInput } from '../../kernel/errors.js';
import { DAY_MS } from '../../kernel/time.js';

/** The query parameters of a search or export, as the API receives them. */
export interface ActivityQuery {
  period?: Period | undefined;
  from?: string | undefined;
  to?: string | undefined;
  userId?: string | undefined;
  username?: string | undefined;
  activity?: string[] | undefined;
  status?: string[] | undefined;
  q?: string | undefined;
  sort?: SortKey | undefined;
  order?: SortOrder | undefined;
}

/** A resolved filter: absolute times, scope applied. `to` is exclusive; `from` inclusive. */
export interface ActivityFilter {
  orgId: string;
  from: number;
  to: number | null;
  userId: string | null;
  username: string | null;
  /** The org's activity names the query's names stand for (matched ignoring case), sorted. */
  activities: string[];
  /** Exact statuses, sorted; none = any. */
  statuses: string[];
  text: string | null;
  /** SQLite: the text is rare; the ids of the rows the search index names for it (text-match.ts). */
  textCandidates?: readonly number[] | undefined;
  sort: SortKey;
  order: SortOrder;
}

/** Turns a preset into the start of the period, counting calendar months back in UTC. */
export function periodStart(period: Period, now: number): number {
  switch (period) {
    case '1d':
      return now - 24 * 3_600_000;
    case '7d':
      return now - 7 * 24 * 3_600_000;
    case '1m':
      return monthsBack(now, 1);
    case '6m':
      return monthsBack(now, 6);
    case '1y':
      return monthsBack(now, 12);
  }
}

/**
 * The same day and time `months` calendar months earlier, clamped to the end of a shorter month
 * (31 March − 1 month = 28 February, not 3 March as Date's roll-over would have it).
 */
function monthsBack(now: number, months: number): number {
  const date = new Date(now);
  const day = date.getUTCDate();
  date.setUTCDate(1);
  date.setUTCMonth(date.getUTCMonth() - months);
  const lastDay = new Date(Date.UTC(date.getUTCFullYear(), date.getUTCMonth() + 1, 0)).getUTCDate();
  date.setUTCDate(Math.min(day, lastDay));
  return date.getTime();
}

// A calendar date, optionally with a time and a zone: Date.parse alone takes "hello 2020" or "1".
const ISO_8601 =
  /^(\d{4})-(\d{2})-(\d{2})(?:T\d{2}:\d{2}(?::\d{2}(?:\.\d{1,9})?)?(?:Z|[+-]\d{2}:?\d{2})?)?$/i;

function parseTime(value: string, name: string): number {
  const invalid = () => invalidInput(`${name} must be an ISO 8601 date or date-time (got "${value}")`);
  const match = ISO_8601.exec(value);
  if (!match) throw invalid();
  const [year, month, day] = match.slice(1, 4).map(Number) as [number, number, number];
  // Date.parse rolls 30 February over into March; a date that does not exist is a mistake.
  const daysInMonth = new Date(Date.UTC(year, month, 0)).getUTCDate();
  if (month < 1 || month > 12 || day < 1 || day > daysInMonth) throw invalid();
  // A date-time without a zone means UTC, as every time in the API does, not the server's zone.
  const zoned = /T[^Z+-]*$/i.test(value) ? `${value}Z` : value;
  const ms = Date.parse(zoned);
  if (Number.isNaN(ms)) throw invalid();
  return ms;
}

/**
 * `to` as the page's "To (included)" means it: a plain date includes that whole day (UTC), so
 * from=2026-11-01&to=2026-11-07 is one week; a date-time is the first instant left out.
 */
function parseEnd(value: string): number {
  const ms = parseTime(value, 'to');
  return /T/i.test(value) ? ms : ms + DAY_MS;
}

/** The time range of a query: a preset (default 1m) or an explicit from/to. */
export function resolveRange(query: ActivityQuery, now: number): { from: number; to: number | null } {
  if (query.period !== undefined && (query.from !== undefined || query.to !== undefined)) {
    throw invalidInput('period cannot be combined with from/to');
  }
  if (query.from === undefined && query.to === undefined) {
    return { from: periodStart(query.period ?? '1m', now), to: null };
  }
  const to = query.to === undefined ? null : parseEnd(query.to);
  const from = query.from === undefined ? periodStart('1m', to ?? now) : parseTime(query.from, 'from');
  if (to !== null && from >= to) throw invalidInput('from must be before to');
  return { from, to };
}
