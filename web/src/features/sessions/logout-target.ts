import type { Session, SessionFilter, User } from '../../api/types.ts';
import { countryName } from '../../components/CountryBadge.tsx';
import { formatCount, listPhrase, plural } from '../../lib/format.ts';
import { FLAG_LABELS } from './filter-url.ts';

/** What a Logout ends: the sessions checked, or every live session a filter matches. */
export type LogoutTarget =
  | { kind: 'sessions'; sessions: Session[] }
  | {
      kind: 'filter';
      filter: SessionFilter;
      /** How many match now (at least this many when `capped`). */
      count: number;
      capped: boolean;
      /** Whose sessions they are, as the dialog can honestly say it ("alice", "at least 12 users"). */
      whose: string;
      /** The sessions of the page that match, taken off the list once ended. */
      visible: Session[];
    };

/** "3 sessions of bob and 1 session of alice": most sessions first, then by name. */
export function describeSessions(sessions: readonly Session[]): string {
  const counts = new Map<string, number>();
  for (const s of sessions) counts.set(s.username, (counts.get(s.username) ?? 0) + 1);
  const groups = [...counts].sort(([a, m], [b, n]) => n - m || a.localeCompare(b));
  return listPhrase(groups.map(([user, n]) => `${plural(n, 'session')} of ${user}`));
}

/** "1,234" or "10,000+": how many a filter matches, as the list's total says it. */
export const countLabel = (count: number, capped: boolean): string =>
  `${formatCount(count)}${capped ? '+' : ''}`;

/**
 * Whose sessions a filter's Logout ends, saying no more than is known: the user when the filter
 * names one, everyone exactly when every match is on the page, else a lower bound from the page.
 */
export function whoseSessions(
  filter: SessionFilter,
  page: { sessions: readonly Session[]; total: number; totalCapped: boolean },
  users: readonly User[],
): string {
  if (filter.userId) {
    return users.find((u) => u.id === filter.userId)?.username ?? page.sessions[0]?.username ?? 'one user';
  }
  if (filter.username) return filter.username;
  const names = new Set(page.sessions.map((s) => s.username));
  if (!page.totalCapped && page.total === page.sessions.length) {
    return names.size === 1 ? ([...names][0] as string) : plural(names.size, 'user');
  }
  return names.size === 1 ? 'at least one user' : `at least ${plural(names.size, 'user')}`;
}

/** The filter in words, for the confirmation: "country Germany, browser Chrome". */
export function describeFilter(filter: SessionFilter, users: readonly User[]): string {
  const parts: string[] = [];
  if (filter.userId) {
    parts.push(`user ${users.find((u) => u.id === filter.userId)?.username ?? filter.userId}`);
  }
  if (filter.username) parts.push(`user ${filter.username}`);
  if (filter.country) parts.push(`country ${countryName(filter.country)}`);
  if (filter.deviceType) parts.push(`device ${filter.deviceType}`);
  if (filter.os) parts.push(`OS ${filter.os}`);
  if (filter.browser) parts.push(`browser ${filter.browser}`);
  if (filter.flag) parts.push(`risk “${FLAG_LABELS[filter.flag]}”`);
  if (filter.q) parts.push(`search “${filter.q}”`);
  return listPhrase(parts);
}
