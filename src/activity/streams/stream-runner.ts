import type { Kysely } from 'kysely';
import type { Schema } from '../../db/schema.js';
import type { Clock } from '../../kernel/clock.js';
import { DAY_MS } from '../../kernel/time.js';
import { ACTIVITY } from '../activity-names.js';
import { recordActivities } from '../chain/record.js';
import { type EncodedEvent, type RowsReader, selectEncodedEvents } from './encoded-events.repository.js';
import { DELIVERY_TIMEOUT_MS, postToStream, type StreamTarget } from './stream-delivery.js';
import { encodeBatch } from './stream-payload.js';
import {
  claimLease,
  holdsLease,
  markAttemptFailed,
  markDelivered,
  releaseLease,
  selectActiveStreamIds,
} from './streams.repository.js';
import type { ActivityStreamRow } from './streams.table.js';

export interface StreamRunnerOptions {
  /** How often an idle loop looks for new activities, and the instance for streams to take. */
  pollMs: number;
  /** How long a lease lasts unrenewed: after a crash, another instance takes over within it. */
  leaseMs: number;
  /**
   * How long a loop may go on delivering with its cursor and lease unwritten (it checks the lease
   * by a read between): one write of the row per this, not per batch. A crash sends again what
   * was delivered since the last write (at least once).
   */
  storeEveryMs: number;
  /** Activities per request, at most. */
  batchSize: number;
  /** The first retry's wait; it doubles up to `maxBackoffMs`. */
  firstBackoffMs: number;
  maxBackoffMs: number;
  /** Failing this long, a stream turns `failed` (PRODUCT.md: at least 24 h). */
  giveUpAfterMs: number;
  timeoutMs: number;
}

export const DEFAULT_RUNNER_OPTIONS: StreamRunnerOptions = {
  pollMs: 250,
  leaseMs: 30_000,
  storeEveryMs: 1_000,
  batchSize: 1_000,
  firstBackoffMs: 500,
  maxBackoffMs: 15_000,
  giveUpAfterMs: DAY_MS,
  timeoutMs: DELIVERY_TIMEOUT_MS,
};

type ReadAhead = ReturnType<typeof readAhead>;

/** The batch after a seq, or the one already read ahead for it; rows after a seq never change. */
function readAhead(read: (afterSeq: number) => Promise<EncodedEvent[]>) {
  let ahead: { afterSeq: number; rows: Promise<EncodedEvent[]> } | undefined;
  return {
    take(afterSeq: number): Promise<EncodedEvent[]> {
      const rows = ahead?.afterSeq === afterSeq ? ahead.rows : read(afterSeq);
      ahead = undefined;
      return rows;
    },
    readAhead(afterSeq: number): void {
      const rows = read(afterSeq);
      // A read ahead that is never taken (the batch before it failed) must not fail the process.
      rows.catch(() => {});
      ahead = { afterSeq, rows };
    },
  };
}

export interface StreamRunnerDeps {
  db: Kysely<Schema>;
  clock: Clock;
  /** This instance, as the leases name it. */
  owner: string;
  onError: (error: unknown, streamId?: string) => void;
  /** The row's delivery target, its secret and token opened (stream-secrets.ts). */
  targetOf: (row: ActivityStreamRow) => StreamTarget;
  /** Where the batches are read, if not on `db` (SQLite: the export worker). */
  readRows?: RowsReader | undefined;
}

export type StreamRunner = ReturnType<typeof createStreamRunner>;

/**
 * The delivery loops of one instance (decision 020). Every `pollMs` it tries to lease each active
 * stream it does not run; for each lease it holds, one loop reads the chain after `deliveredSeq`,
 * posts a batch, and on a 2xx moves on past its last seq. A failure retries the same range after a
 * backoff. The cursor and the lease are written together, when the loop catches up or fails and
 * at least every `storeEveryMs` (decision 026), and read after every other step; a loop that lost
 * its lease (lapsed and taken, the stream deleted or failed) stops, so at most one instance
 * delivers a stream.
 */
export function createStreamRunner(
  deps: StreamRunnerDeps,
  options: StreamRunnerOptions = DEFAULT_RUNNER_OPTIONS,
) {
  const { db, clock, owner } = deps;
  const loops = new Map<string, Promise<void>>();
  const sleepers = new Set<() => void>();
  let stopping = new AbortController();
  let stopped = true;
  let supervisor: NodeJS.Timeout | undefined;

  /** Waits, or less when the runner stops. */
  const sleep = (ms: number) =>
    new Promise<void>((resolve) => {
      const done = () => {
        clearTimeout(timer);
        sleepers.delete(done);
        resolve();
      };
      const timer = setTimeout(done, ms);
      sleepers.add(done);
    });

  const lease = (id: string) => {
    const now = clock.now();
    return claimLease(db, id, owner, now, now + options.leaseMs);
  };

  /** Streams this instance is asking the lease of: a pass that overlaps another skips them. */
  const claiming = new Set<string>();

  async function supervise(): Promise<void> {
    try {
      for (const id of await selectActiveStreamIds(db)) {
        if (stopped || loops.has(id) || claiming.has(id)) continue;
        claiming.add(id);
        try {
          const stream = await lease(id);
          if (stream && stopped) await releaseLease(db, id, owner);
          else if (stream)
            loops.set(
              id,
              deliverWhileLeased(stream).finally(() => loops.delete(id)),
            );
        } finally {
          claiming.delete(id);
        }
      }
    } catch (error) {
      deps.onError(error);
    }
  }

  const backoff = (failures: number) =>
    Math.min(options.maxBackoffMs, options.firstBackoffMs * 2 ** (failures - 1));

  /**
   * One stream's loop while this instance holds its lease. `stream` is the row as last written
   * but for `delivered`: what the receiver acknowledged since, not yet stored.
   */
  async function deliverWhileLeased(first: ActivityStreamRow): Promise<void> {
    let stream: ActivityStreamRow | undefined = first;
    let delivered: { lastSeq: number; at: number } | undefined;
    let storedAt = performance.now();
    let failures = 0;
    const batches = readAhead((after) =>
      selectEncodedEvents(db, first.orgId, after, options.batchSize, deps.readRows),
    );

    /** Writes the row: the cursor if it moved, and the lease renewed. Answers the row, or undefined when lost. */
    const store = async (current: ActivityStreamRow) => {
      const until = clock.now() + options.leaseMs;
      const row = delivered
        ? await markDelivered(db, current.id, owner, { ...delivered, leaseUntil: until })
        : await lease(current.id);
      delivered = undefined;
      storedAt = performance.now();
      return row;
    };
    /** As stored, with what was delivered since. */
    const asDelivered = (current: ActivityStreamRow): ActivityStreamRow =>
      delivered
        ? { ...current, deliveredSeq: delivered.lastSeq, lastSuccessAt: delivered.at, failingSince: null }
        : current;

    while (stream && !stopped) {
      const current: ActivityStreamRow = stream;
      try {
        const outcome = await deliverNext(asDelivered(current), batches, () => store(current));
        if (outcome === 'gave up') return;
        if (outcome === 'failed') {
          // The row as the failure left it (since when it fails), the lease renewed.
          await sleep(backoff(++failures));
          stream = await store(current);
          continue;
        }
        if (outcome === 'idle') {
          // Caught up: the cursor is written before the wait, so the lag shows 0.
          if (delivered) stream = await store(current);
          await sleep(options.pollMs);
        } else {
          failures = 0;
          delivered = outcome;
        }
        if (!stream) break;
        // One write of the row per storeEveryMs; between, a read tells whether the lease holds.
        if (performance.now() - storedAt >= options.storeEveryMs) stream = await store(stream);
        else if (!(await holdsLease(db, stream.id, owner))) stream = undefined;
      } catch (error) {
        // The database, most likely: wait as after a failed delivery, and keep the lease if it can.
        deps.onError(error, current.id);
        await sleep(backoff(++failures));
        stream = await store(current).catch(() => current);
      }
    }
    // Stopping: the other instances may take it at once rather than when the lease lapses.
    if (stream) {
      const last = stream;
      await (delivered ? store(last) : Promise.resolve(last))
        .then(() => releaseLease(db, last.id, owner))
        .catch((error) => deps.onError(error, first.id));
    }
  }

  /**
   * One step: a batch sent (answered with its last seq and when, for the loop to store), not sent,
   * or nothing new to send. A failure is written at once, after `storeDelivered`.
   */
  async function deliverNext(
    stream: ActivityStreamRow,
    batches: ReadAhead,
    storeDelivered: () => Promise<unknown>,
  ): Promise<'idle' | { lastSeq: number; at: number } | 'failed' | 'gave up'> {
    const rows = await batches.take(stream.deliveredSeq);
    const first = rows[0];
    const last = rows[rows.length - 1];
    if (!first || !last) return 'idle';
    // A full batch: there is likely more; read it while the receiver handles this one.
    if (rows.length === options.batchSize) batches.readAhead(last.seq);
    const body = encodeBatch(stream.format, stream.id, rows);
    const outcome = await postToStream(deps.targetOf(stream), body, `${first.seq}-${last.seq}`, clock.now(), {
      timeoutMs: options.timeoutMs,
      stop: stopping.signal,
    });
    // Cut short by a stop: no failure of the receiver's, and the next owner sends it again.
    if (!outcome.ok && stopped) return 'failed';
    const now = clock.now();
    if (outcome.ok) return { lastSeq: last.seq, at: now };
    // What was delivered before goes in first: a failure is written after it, never wiped by it.
    await storeDelivered();
    const failingSince = stream.failingSince ?? now;
    const failure = { error: outcome.error, now, failingSince, giveUp: false };
    if (now - failingSince < options.giveUpAfterMs) {
      await markAttemptFailed(db, stream.id, owner, failure);
      return 'failed';
    }
    // The stream stops and the log says so in one commit: no one sees it failed with no record why.
    await db.transaction().execute(async (trx) => {
      await markAttemptFailed(trx, stream.id, owner, { ...failure, giveUp: true });
      await recordActivities(
        trx,
        stream.orgId,
        [
          {
            occurredAt: now,
            userId: null,
            username: 'system',
            activity: ACTIVITY.STREAM_FAILED,
            status: 'failure',
            target: `stream ${stream.name}`,
            details: `deliveries failing since ${new Date(failingSince).toISOString()}: ${outcome.error}`,
          },
        ],
        now,
      );
    });
    return 'gave up';
  }

  return {
    start(): void {
      if (!stopped) return;
      stopped = false;
      stopping = new AbortController();
      supervisor = setInterval(() => void supervise(), options.pollMs);
      supervisor.unref();
      void supervise();
    },

    /** Ends every loop after its current request, and frees its leases for the other instances. */
    async stop(): Promise<void> {
      stopped = true;
      clearInterval(supervisor);
      stopping.abort();
      for (const wake of [...sleepers]) wake();
      await Promise.all(loops.values());
    },

    /** The streams this instance delivers now (tests check that two instances split them). */
    running: (): string[] => [...loops.keys()],
  };
}
