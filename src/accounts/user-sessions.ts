import type { Transaction } from 'kysely';
import type { ActivityEvent } from '../activity/chain/record.js';
import type { Schema } from '../db/schema.js';
import type { Actor } from '../kernel/actor.js';

/** Why accounts ends a user's sessions (reasons the sessions feature records and shows). */
export type EndingReason = 'password_changed' | 'user_disabled';

/**
 * What accounts needs of the sessions feature, which sits above it and implements this (the
 * composition root passes the session service): ending a user's sessions inside the caller's
 * transaction (the caller records the `events` with its own, in its one append at the end), and
 * telling their open tabs once it has committed.
 */
export interface UserSessions {
  endUserSessionsWithin(
    trx: Transaction<Schema>,
    actor: Actor | null,
    target: { orgId: string; userId: string; exceptSessionId?: string | null },
    reason: EndingReason,
    now: number,
  ): Promise<{ ended: number; events: ActivityEvent[]; announce: () => Promise<void> }>;
}
