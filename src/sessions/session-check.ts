import type { User } from '../contracts/accounts.js';
import type { RevokedReason, Session } from '../contracts/sessions.js';
import type { DatabaseEngine } from '../db/database.js';
import type { Actor } from '../kernel/actor.js';
import type { Clock } from '../kernel/clock.js';
import type { FreshestAccess } from './freshest-access.js';
import type { LastAccessTracker } from './last-access.js';
import { lifetimeEndsAt, type SessionLimits } from './policy/session-limits.js';
import { toSession } from './session.js';
import { prepareSessionLookup, type SessionLookupRow } from './sessions.repository.js';
import { hashToken } from './tokens.js';

/** Why a token was refused: lets the client say "your session was ended" instead of a bare 401. */
export type SessionRejection = 'unknown' | 'expired' | RevokedReason;

/** A validated session's row and user, as the per-request check read them. */
export type CheckedSession = SessionLookupRow;

export type ValidationResult =
  | { ok: true; actor: Actor; row: CheckedSession }
  | { ok: false; reason: SessionRejection };

export interface SessionCheckDeps {
  database: DatabaseEngine;
  clock: Clock;
  lastAccess: LastAccessTracker;
  access: FreshestAccess;
  /** The configuration's limits, for an org without a policy of its own. */
  defaults: SessionLimits;
}

/** The per-request check of a session token, and the caller as /api/me describes them from its row. */
export function createSessionCheck(deps: SessionCheckDeps) {
  const { clock, lastAccess, defaults } = deps;
  const { latestAccess, latestAccessAt } = deps.access;
  const lookupSession = prepareSessionLookup(deps.database);

  return {
    /**
     * The per-request check, no write: against the database as it is after the request arrived
     * (shared by the requests of one event-loop turn, decision 006), so nothing remembered can
     * outlive a Logout on any instance.
     */
    async validateSessionToken(
      token: string,
      /**
       * `ip`: the caller's canonical address (http/client-ip.ts), recorded as is. `usedOn`: the
       * protected app's host when a proxy asks (forward auth); the console's own requests leave it out.
       */
      request: { ip: string; touch?: boolean; usedOn?: string | null },
    ): Promise<ValidationResult> {
      const row = await lookupSession(hashToken(token));
      if (!row) return { ok: false, reason: 'unknown' };
      if (row.revokedReason !== null || row.revokedAt !== null) {
        // A swept session (sweepEndedSessions) is refused exactly as before it was swept.
        const reason = row.revokedReason === 'idle' ? 'expired' : row.revokedReason;
        return { ok: false, reason: reason ?? 'terminated' };
      }
      if (row.disabledAt !== null) return { ok: false, reason: 'user_disabled' };
      const now = clock.now();
      // The org's limits as the lookup read them with the row: a change is in force at once.
      const idleMs = row.policyIdleMs ?? defaults.idleMs;
      if (
        now >= lifetimeEndsAt(row, row.policyMaxMs ?? defaults.maxMs) ||
        now - latestAccessAt(row) >= idleMs
      ) {
        return { ok: false, reason: 'expired' };
      }
      if (request.touch !== false) lastAccess.touch(row.id, now, request.usedOn ?? null);
      return {
        ok: true,
        row,
        actor: {
          userId: row.userId,
          orgId: row.orgId,
          username: row.username,
          role: row.role,
          sessionId: row.id,
          publicIp: request.ip,
        },
      };
    },

    /** The caller as /api/me shows them, from the row the per-request check read (built only there). */
    describeCurrentUser(row: SessionLookupRow): User {
      return {
        id: row.userId,
        orgId: row.orgId,
        username: row.username,
        role: row.role,
        disabled: row.disabledAt !== null,
        createdAt: new Date(row.userCreatedAt).toISOString(),
      };
    },

    /** The caller's own session as the list shows it, from the row the per-request check read. */
    describeCurrentSession(row: SessionLookupRow): Session {
      return toSession(row, { currentSessionId: row.id, access: latestAccess(row) });
    },
  };
}
