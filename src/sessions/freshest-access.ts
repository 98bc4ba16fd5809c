import { LAST_ACCESS_FLUSH_MS, type LastAccessTracker } from './last-access.js';
import type { Access } from './sessions.repository.js';

/**
 * A stored last_access_at lags the real last access by up to a flush interval (the tracker
 * writes in batches, on every instance). Queries for live sessions widen the idle window by
 * this much, so a session used just inside the window is never missed by the list, the
 * Logout button or a password change.
 */
export const STORED_ACCESS_LAG_MS = 2 * LAST_ACCESS_FLUSH_MS;

/** What a row needs to tell its freshest access. */
export type AccessedRow = { id: string; lastAccessAt: number; lastUsedOn: string | null };

export interface FreshestAccess {
  /** The freshest access known here: this instance's unwritten one, or the stored one. */
  latestAccess(row: AccessedRow): Access;
  /** Its time alone, for the per-request check: no object built on the hot path. */
  latestAccessAt(row: AccessedRow): number;
}

export function freshestAccess(lastAccess: LastAccessTracker): FreshestAccess {
  return {
    latestAccess(row) {
      const unwritten = lastAccess.unwritten(row.id);
      return unwritten && unwritten.at >= row.lastAccessAt
        ? unwritten
        : { at: row.lastAccessAt, usedOn: row.lastUsedOn };
    },
    latestAccessAt: (row) => Math.max(row.lastAccessAt, lastAccess.unwritten(row.id)?.at ?? 0),
  };
}
