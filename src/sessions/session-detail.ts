import type { Session, SessionDetail } from '../contracts/sessions.js';
import { lifetimeEndsAt, type SessionLimits } from './policy/session-limits.js';
import type { SessionRow } from './session.table.js';

type DetailedSession = SessionDetail['session'];

/**
 * Everything known about one session, live or ended. One that ran out and was not swept yet
 * (sessions.repository.ts `sweepEndedSessions`) is told as ended, when and why, exactly as the
 * per-request check would refuse it now, by the org's limits in force.
 */
export function toSessionDetail(
  row: SessionRow & { endedByName: string | null },
  shown: Session,
  limits: SessionLimits & { now: number },
): DetailedSession {
  const lastAccessAt = Date.parse(shown.lastAccessAt);
  const idleEndsAt = lastAccessAt + limits.idleMs;
  const lifeEndsAt = lifetimeEndsAt(row, limits.maxMs);
  let ended: Pick<DetailedSession, 'endedAt' | 'endReason' | 'endedBy'> = {
    endedAt: null,
    endReason: null,
    endedBy: null,
  };
  if (row.revokedAt !== null) {
    ended = {
      endedAt: iso(row.revokedAt),
      endReason: row.revokedReason ?? 'terminated',
      endedBy:
        row.revokedBy !== null && row.endedByName !== null
          ? { userId: row.revokedBy, username: row.endedByName }
          : null,
    };
  } else if (limits.now >= lifeEndsAt) {
    ended = { endedAt: iso(lifeEndsAt), endReason: 'expired', endedBy: null };
  } else if (limits.now >= idleEndsAt) {
    ended = { endedAt: iso(idleEndsAt), endReason: 'idle', endedBy: null };
  }
  return {
    ...shown,
    userAgent: row.userAgent,
    clientHints: row.clientHints === null ? {} : (JSON.parse(row.clientHints) as Record<string, string>),
    region: row.region,
    country: row.country,
    expiresAt: iso(lifeEndsAt),
    idleExpiresAt: iso(Math.min(idleEndsAt, lifeEndsAt)),
    live: ended.endReason === null,
    ...ended,
  };
}

const iso = (ms: number) => new Date(ms).toISOString();
