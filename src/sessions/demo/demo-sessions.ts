import type { RevokedReason } from '../../contracts/sessions.js';
import type { DatabaseEngine } from '../../db/database.js';
import { DAY_MS, HOUR_MS, MINUTE_MS } from '../../kernel/time.js';
import type { GeoLocator } from '../geo.js';
import type { NewSessionRow } from '../session.table.js';
import { type Crowd, type Profile, pick, prepareCrowd, weightedPicker } from './demo-crowd.js';
import { demoSessionRow, type Ending, type RowTimes, type RowUser } from './demo-rows.js';
import { insertSessionsInBulk } from './demo-sessions.repository.js';
import { riskySessions } from './risky-sessions.js';

export interface DemoSessionsDeps {
  database: DatabaseEngine;
  geo: GeoLocator;
  now: () => number;
  idleMs: number;
  maxMs: number;
}

export interface DemoSessionsInput {
  orgId: string;
  users: ReadonlyArray<{ id: string; username: string }>;
  count: number;
  /**
   * Ended sessions of the last 30 days instead of live ones (a benchmark's history): logged out,
   * terminated, idle or expired, none flagged.
   */
  ended?: boolean;
  /** Told every few thousand rows how many are in so far (committed together at the end). */
  onProgress?: (written: number) => void;
}

/** How far back live sessions were created, and how recently used (PRODUCT.md: 12 hours, 10 minutes). */
const CREATED_WITHIN_MS = 12 * HOUR_MS;
const USED_WITHIN_MS = 10 * MINUTE_MS;
const HISTORY_MS = 30 * DAY_MS;

/** How many users get a pair of sessions the second of which is flagged: a handful, more for a big crowd. */
export function riskyUserCount(sessions: number, users: number): number {
  return Math.min(
    Math.floor(sessions / 10),
    Math.floor(users / 2),
    Math.max(6, Math.round(sessions / 1_000)),
  );
}

/**
 * Creates `count` sessions of the org's `users` in one bulk write: live ones (created over the last
 * 12 hours, each used within the last 10 minutes) from the crowd's real addresses and browsers,
 * each user logging in from their own country on their own devices, and a handful of users with a
 * flagged session; or, with `ended`, a history of ended ones.
 */
export async function createDemoSessions(deps: DemoSessionsDeps, input: DemoSessionsInput): Promise<number> {
  if (input.users.length === 0 || input.count <= 0) return 0;
  const crowd = prepareCrowd(deps.geo);
  const now = deps.now();
  const users: RowUser[] = input.users.map((u) => ({ orgId: input.orgId, id: u.id, username: u.username }));
  const profiles: Profile[] = users.map(() => crowd.profile());
  const rows = input.ended
    ? endedRows(users, profiles, input.count, { ...deps, now })
    : liveRows(crowd, users, profiles, input.count, { ...deps, now });
  return insertSessionsInBulk(deps.database, rows, (written) => input.onProgress?.(written));
}

interface Window {
  now: number;
  idleMs: number;
  maxMs: number;
}

function* liveRows(
  crowd: Crowd,
  users: RowUser[],
  profiles: Profile[],
  count: number,
  window: Window,
): Generator<NewSessionRow> {
  const { now, maxMs } = window;
  // Live until the viewer looks: well inside the lifetime and the idle window, whatever they are.
  const createdWithinMs = Math.min(CREATED_WITHIN_MS, Math.floor(maxMs * 0.9));
  const usedWithinMs = Math.min(USED_WITHIN_MS, Math.floor(window.idleMs / 2));
  const times = (createdAt: number): RowTimes => {
    const earliest = Math.max(createdAt, now - usedWithinMs);
    return {
      createdAt,
      lastAccessAt: earliest + Math.floor(Math.random() * (now - earliest)),
      expiresAt: createdAt + maxMs,
    };
  };
  /**
   * The i-th regular session's: last accesses rise with i, so each live index ending in (last
   * access, id) is filled at the end of each of its groups rather than at random places, which
   * makes a bulk load a quarter cheaper; creation times stay random.
   */
  const ascendingTimes = (i: number, of: number): RowTimes => {
    const lastAccessAt = now - usedWithinMs + Math.floor(((i + Math.random()) / of) * usedWithinMs);
    const createdAt = Math.min(lastAccessAt, now - Math.floor(Math.random() * createdWithinMs));
    return { createdAt, lastAccessAt, expiresAt: createdAt + maxMs };
  };
  // The last users of the list get the flagged pairs, and no other session to muddle their history.
  const risky = riskyUserCount(count, users.length);
  const regular = users.length - risky;
  for (let i = 0; i < risky; i++) {
    const at = regular + i;
    yield* riskySessions(
      crowd,
      users[at] as RowUser,
      profiles[at] as Profile,
      { now, createdWithinMs, times },
      i % 2 === 1,
    );
  }
  const regularCount = count - 2 * risky;
  for (let i = 0; i < regularCount; i++) {
    // Round the users in turn, so every one of them has a session before anyone has two.
    const at = i % regular;
    const profile = profiles[at] as Profile;
    yield demoSessionRow(
      users[at] as RowUser,
      pick(profile.homePlaces),
      pick(profile.devices),
      ascendingTimes(i, regularCount),
    );
  }
}

const pickEnding = weightedPicker<RevokedReason>(['logout', 'idle', 'expired', 'terminated'], (reason) =>
  reason === 'logout' ? 40 : reason === 'idle' ? 35 : reason === 'expired' ? 15 : 10,
);

function* endedRows(
  users: RowUser[],
  profiles: Profile[],
  count: number,
  window: Window,
): Generator<NewSessionRow> {
  const { now, idleMs, maxMs } = window;
  for (let i = 0; i < count; i++) {
    const at = i % users.length;
    const user = users[at] as RowUser;
    const profile = profiles[at] as Profile;
    const createdAt = now - CREATED_WITHIN_MS - maxMs - Math.floor(Math.random() * HISTORY_MS);
    const lastAccessAt = createdAt + Math.floor(Math.random() * Math.min(maxMs - 1, 4 * HOUR_MS));
    const reason = pickEnding();
    const ended: Ending = {
      at: reason === 'idle' ? lastAccessAt + idleMs : reason === 'expired' ? createdAt + maxMs : lastAccessAt,
      by: reason === 'logout' ? user.id : null,
      reason,
    };
    yield demoSessionRow(
      user,
      pick(profile.homePlaces),
      pick(profile.devices),
      { createdAt, lastAccessAt, expiresAt: createdAt + maxMs },
      { ended },
    );
  }
}
