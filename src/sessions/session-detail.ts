import type { Session, SessionDetail } from '../contracts/sessions.js';
import type { SessionRow } from './session.table.js';

type DetailedSession = SessionDetail['session'];

/**
 * Everything known about one session, live or ended. One that ran out and was not swept yet
 * (sessions.repository.ts `sweepEndedSessions`) is told as ended, when and why, exactly as the
 * per-request check would refuse it now.
 */
export function toSessionDetail(
  row: SessionRow & { endedByName: string | null },
  shown: Session,
  limits: { now: number; idleMs: number },
): DetailedSession {
  const lastAccessAt = Date.parse(shown.lastAccessAt);
  const idleEndsAt = lastAccessAt + limits.idleMs;
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
  } else if (limits.now >= row.expiresAt) {
    ended = { endedAt: iso(row.expiresAt), endReason: 'expired', endedBy: null };
  } else if (limits.now >= idleEndsAt) {
    ended = { endedAt: iso(idleEndsAt), endReason: 'idle', endedBy: null };
  }
  return {
    ...shown,
    userAgent: row.userAgent,
    clientHints: row.clientHints === null ? {} : (JSON.parse(row.clientHints) as Record<string, string>),
    region: row.region,
    country: row.country,
    expiresAt: iso(row.expiresAt),
    idleExpiresAt: iso(Math.min(idleEndsAt, row.expiresAt)),
    live: ended.endReason === null,
    ...ended,
  };
}

const iso = (ms: number) => new Date(ms).toISOString();
