import type { Kysely, Transaction } from 'kysely';
import { type ActivityEvent, recordActivities } from '../activity/chain/record.js';
import type { RevokedReason, SessionFilter } from '../contracts/sessions.js';
import { isPostgres } from '../db/dialect.js';
import type { Schema } from '../db/schema.js';
import type { Actor } from '../kernel/actor.js';
import type { Clock } from '../kernel/clock.js';
import type { EndingWriter } from './ending-writer.js';
import type { LastAccessTracker } from './last-access.js';
import type { LiveBus, LiveEvent } from './live-events.js';
import { bulkEndedActivity, sessionEndedActivity } from './session-activities.js';
import { endSessionRows } from './session-endings.repository.js';
import type { BatchLock, MatchingSessions } from './session-query.js';
import type { SessionListRow } from './sessions.repository.js';

/** Sessions ended inside a caller's transaction: how many, their activities, and the notice to send after commit. */
export interface SessionsEnding {
  ended: number;
  events: ActivityEvent[];
  announce: () => Promise<void>;
}

export interface SessionEndingDeps {
  db: Kysely<Schema>;
  clock: Clock;
  bus: LiveBus;
  lastAccess: LastAccessTracker;
  /** Writes the endings of a Logout by filter into their rows after it answered. */
  writer: Pick<EndingWriter, 'kick'>;
  /** The sessions that may still be live, read in the given transaction. */
  candidates: (
    filter: { orgId: string; userId?: string | undefined },
    executor: Kysely<Schema>,
  ) => Promise<SessionListRow[]>;
  /** Told when a live event could not be published (the change it announces is committed). */
  onPublishFailed?: ((error: unknown, event: LiveEvent) => void) | undefined;
}

export type SessionEnding = ReturnType<typeof createSessionEnding>;

/**
 * Sessions a Logout by filter ends in one transaction: each commit costs (on SQLite, an fsync and
 * at times a checkpoint), and each holds the write lock that logins and access writes wait for.
 */
const BULK_BATCH = 2_500;

/** PostgreSQL: a Logout by filter's batches in flight at once, each in a connection of its own. */
const PARALLEL_BATCHES = 2;

/**
 * How sessions end: revoked in a transaction with the activities that describe them, and told to
 * every instance after the commit. The Logout button, a password change and a disabled user all
 * end sessions through here.
 */
export function createSessionEnding(deps: SessionEndingDeps) {
  const { db, clock, bus, lastAccess } = deps;

  /**
   * Tells every instance after the commit. The change is stored whatever happens here: a failed
   * NOTIFY must not turn it into an error answer, and the streams' heartbeat re-check catches up.
   */
  async function announce(event: LiveEvent): Promise<void> {
    try {
      await bus.publish(event);
    } catch (error) {
      deps.onPublishFailed?.(error, event);
    }
  }

  /**
   * Ends the sessions in `trx` and answers those it ended, with the activities describing them.
   * `apply: false` leaves writing the endings into the rows to the writer (decision 017);
   * `locked`: `trx` holds the rows' locks already (endSessionRows).
   */
  async function endRowsWithin(
    trx: Transaction<Schema>,
    actor: Actor | null,
    rows: SessionListRow[],
    reason: RevokedReason,
    now: number,
    how: { apply: boolean; locked?: boolean } = { apply: true },
  ): Promise<{ ended: SessionListRow[]; events: ActivityEvent[] }> {
    const ids = await endSessionRows(
      trx,
      rows.map((r) => r.id),
      { at: now, by: actor?.userId ?? null, reason },
      how,
    );
    const revoked = new Set(ids);
    const ended = rows.filter((r) => revoked.has(r.id));
    return { ended, events: ended.map((row) => sessionEndedActivity(row, actor, reason, now)) };
  }

  /** After the commit: forgets the ended sessions' unwritten accesses and tells their tabs. */
  async function announceEnded(orgId: string, ended: SessionListRow[], reason: RevokedReason) {
    lastAccess.forget(ended.map((r) => r.id));
    if (ended.length === 0) return;
    await announce({
      type: 'session-ended',
      orgId,
      reason,
      sessions: ended.map((r) => ({ sessionId: r.id, userId: r.userId })),
    });
  }

  /**
   * Ends every live session of a user (but `exceptSessionId`) inside the caller's transaction, so
   * they end in the same commit as the change that calls for it (a new password, a disabled user):
   * a crash in between cannot leave one alive. Read after the caller's change, in its transaction,
   * a session cannot slip between the two. The caller records `events` with its own, in one append
   * at the end: the append locks the org's chain head, and every writer takes that lock last (a
   * Logout locks its session rows, then the head), so two of them cannot wait for each other.
   * Call `announce` once that transaction has committed.
   */
  async function endUserSessionsWithin(
    trx: Transaction<Schema>,
    actor: Actor | null,
    target: { orgId: string; userId: string; exceptSessionId?: string | null },
    reason: RevokedReason,
    now: number,
  ): Promise<SessionsEnding> {
    const rows = await deps.candidates({ orgId: target.orgId, userId: target.userId }, trx);
    const others = rows.filter((r) => r.id !== target.exceptSessionId);
    const revoked = await endRowsWithin(trx, actor, others, reason, now);
    return {
      ended: revoked.ended.length,
      events: revoked.events,
      announce: () => announceEnded(target.orgId, revoked.ended, reason),
    };
  }

  /**
   * Ends the given sessions of one org inside the caller's transaction (a login over the session
   * limit ends the oldest); as endUserSessionsWithin, the caller records `events` and announces
   * after its commit.
   */
  async function endSessionsWithin(
    trx: Transaction<Schema>,
    actor: Actor | null,
    rows: SessionListRow[],
    reason: RevokedReason,
    now: number,
  ): Promise<SessionsEnding> {
    const revoked = await endRowsWithin(trx, actor, rows, reason, now);
    const orgId = rows[0]?.orgId ?? '';
    return {
      ended: revoked.ended.length,
      events: revoked.events,
      announce: () => announceEnded(orgId, revoked.ended, reason),
    };
  }

  /** Ends the given sessions of one org, recording each ending in the same transaction. */
  async function endRows(
    actor: Actor | null,
    rows: SessionListRow[],
    reason: RevokedReason,
  ): Promise<string[]> {
    const orgId = rows[0]?.orgId;
    if (orgId === undefined) return [];
    const now = clock.now();
    const ended = await db.transaction().execute(async (trx) => {
      const revoked = await endRowsWithin(trx, actor, rows, reason, now);
      await recordActivities(trx, orgId, revoked.events, now);
      return revoked.ended;
    });
    await announceEnded(orgId, ended, reason);
    return ended.map((r) => r.id);
  }

  /**
   * One batch of a Logout by filter, in a transaction of its own: what `matching` selects (read
   * and locked in the transaction), ended with its activities; its tabs told after the commit.
   * The endings wait for the writer (decision 017). Answers the sessions it ended.
   */
  async function endBatch(
    actor: Actor,
    matching: MatchingSessions,
    lock: BatchLock,
  ): Promise<{ read: number; ended: SessionListRow[] }> {
    const select = await matching();
    const now = clock.now();
    const batch = await db.transaction().execute(async (trx) => {
      const rows = await select(BULK_BATCH, trx, lock);
      const revoked = await endRowsWithin(trx, actor, rows, 'terminated', now, {
        apply: false,
        locked: true,
      });
      await recordActivities(trx, actor.orgId, revoked.events, now);
      return { read: rows.length, ended: revoked.ended };
    });
    await announceEnded(actor.orgId, batch.ended, 'terminated');
    return batch;
  }

  /** Ends all of a user's live sessions but one, in a transaction of its own. */
  async function endUserSessions(
    actor: Actor | null,
    target: { orgId: string; userId: string; exceptSessionId?: string | null },
    reason: RevokedReason,
  ): Promise<number> {
    const now = clock.now();
    const ending = await db.transaction().execute(async (trx) => {
      const within = await endUserSessionsWithin(trx, actor, target, reason, now);
      await recordActivities(trx, target.orgId, within.events, now);
      return within;
    });
    await ending.announce();
    return ending.ended;
  }

  /**
   * Logouts by filter take turns on this instance: each holds up to PARALLEL_BATCHES + 1 pooled
   * connections, and fifty at once (the same click from a slow admin, or a script) emptied the
   * pool of every other request's connection. Other instances' run beside them, as below.
   */
  let bulkTail: Promise<unknown> = Promise.resolve();

  /**
   * A Logout by filter: ends what `matching` selects, a batch of a transaction at a time (each
   * session with its `session.terminated`, each batch's tabs told after its commit), until nothing
   * matches; then one summary activity. The endings are written into the rows after the answer
   * (decision 017); the check refuses the sessions from each batch's commit. Two of these at once
   * each end a session at most once: endSessionRows gives each session one ending, and what one
   * ended the other's next batch no longer selects.
   */
  function endMatching(actor: Actor, filter: SessionFilter, matching: MatchingSessions): Promise<number> {
    const run = bulkTail.then(() => endAllMatching(actor, filter, matching));
    bulkTail = run.catch(() => undefined);
    return run;
  }

  async function endAllMatching(
    actor: Actor,
    filter: SessionFilter,
    matching: MatchingSessions,
  ): Promise<number> {
    let sessions = 0;
    const users = new Set<string>();
    const drain = async (lock: BatchLock) => {
      for (;;) {
        const { read, ended } = await endBatch(actor, matching, lock);
        if (read === 0) return;
        sessions += ended.length;
        for (const row of ended) users.add(row.userId);
      }
    };
    try {
      if (isPostgres(db)) {
        // Batches side by side, each on rows no other holds; then, as those skipped rows someone
        // else held (an access being written, a user's own Logout), one more pass that waits.
        const lanes = await Promise.allSettled(Array.from({ length: PARALLEL_BATCHES }, () => drain('skip')));
        const failed = lanes.find((lane) => lane.status === 'rejected');
        if (failed) throw failed.reason;
      }
      await drain('wait');
    } finally {
      // Also when a later batch failed: the committed batches' endings wait for the writer.
      void deps.writer.kick();
    }
    const now = clock.now();
    await db
      .transaction()
      .execute((trx) =>
        recordActivities(
          trx,
          actor.orgId,
          [bulkEndedActivity(actor, filter, { sessions, users: users.size }, now)],
          now,
        ),
      );
    return sessions;
  }

  return { announce, endRows, endSessionsWithin, endUserSessions, endUserSessionsWithin, endMatching };
}
