import type { Kysely } from 'kysely';
import type { Schema } from '../../db/schema.js';
import { type Actor, confinedUserId } from '../../kernel/actor.js';
import { normalizeUsername } from '../../kernel/username.js';
import { listActivityNames } from '../activity.repository.js';
import type { ActivityFilter, ActivityQuery } from './filter.js';
import { FEW_CANDIDATES, fewTextCandidates } from './text-match.js';

/**
 * The org's names a query's activity names stand for, ignoring case: a person types `Backup` or
 * `LOGIN` for `backup` or `user.login`'s exact spelling. The filter itself then stays an exact
 * match, which the indexes serve. A name the org does not have stays as typed (it finds nothing).
 */
export function resolveActivityNames(typed: readonly string[], known: readonly string[]): string[] {
  const byLower = new Map<string, string[]>();
  for (const name of known) {
    const lower = name.toLowerCase();
    byLower.set(lower, [...(byLower.get(lower) ?? []), name]);
  }
  const resolved = typed.flatMap((name) => byLower.get(name.toLowerCase()) ?? [name]);
  return [...new Set(resolved)].sort();
}

/**
 * The filter a caller may run: always their org; a non-admin only ever their own rows. A text's
 * candidates are read up to `fewCandidates` (the histogram, which counts every match, reads more).
 */
export async function scopedFilter(
  db: Kysely<Schema>,
  actor: Actor,
  query: ActivityQuery,
  fewCandidates = FEW_CANDIDATES,
): Promise<Omit<ActivityFilter, 'from' | 'to'>> {
  const typed = query.activity ?? [];
  const text = query.q?.trim() || null;
  return {
    orgId: actor.orgId,
    userId: confinedUserId(actor) ?? query.userId ?? null,
    username: query.username === undefined ? null : normalizeUsername(query.username),
    activities:
      typed.length === 0 ? [] : resolveActivityNames(typed, await listActivityNames(db, actor.orgId)),
    statuses: [...new Set(query.status ?? [])].sort(),
    text,
    textCandidates: text === null ? undefined : await fewTextCandidates(db, text, fewCandidates),
    sort: query.sort ?? 'occurredAt',
    order: query.order ?? 'desc',
  };
}
