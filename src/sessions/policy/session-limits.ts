import { sql } from 'kysely';

/** How long a session of an org may idle, and live at most, in milliseconds. */
export interface SessionLimits {
  idleMs: number;
  maxMs: number;
}

/** An org's own limits as stored: null where it keeps the configuration's. */
export interface StoredLimits {
  idleMs: number | null;
  maxMs: number | null;
}

/** The limits in force: the org's own where it set them, the configuration's otherwise. */
export function effectiveLimits(stored: StoredLimits | undefined, defaults: SessionLimits): SessionLimits {
  return { idleMs: stored?.idleMs ?? defaults.idleMs, maxMs: stored?.maxMs ?? defaults.maxMs };
}

/**
 * When a session's life ends: its stored end (fixed at login) or its login plus the lifetime in
 * force now, whichever comes first. A lower lifetime so ends sessions that began long enough
 * ago; a higher one reaches new logins only (their stored end is fixed under it).
 */
export function lifetimeEndsAt(session: { createdAt: number; expiresAt: number }, maxMs: number): number {
  return Math.min(session.expiresAt, session.createdAt + maxMs);
}

/**
 * The limits in force in SQL, for queries over several orgs: `policy` is the alias of a left-joined
 * org_policies row (absent: the configuration's).
 */
export function limitsInSql(policy: string, defaults: SessionLimits) {
  return {
    idleMs: sql<number>`coalesce(${sql.ref(`${policy}.idle_ms`)}, ${defaults.idleMs})`,
    maxMs: sql<number>`coalesce(${sql.ref(`${policy}.max_ms`)}, ${defaults.maxMs})`,
  };
}
