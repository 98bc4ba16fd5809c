import { type Kysely, sql } from 'kysely';
import type { Schema } from '../../db/schema.js';
import { readHead } from '../checkpoints/checkpoints.repository.js';
import type { ActivityStreamRow, ActivityStreamTable } from './streams.table.js';

type Db = Kysely<Schema>;

export async function insertStream(db: Db, row: ActivityStreamTable): Promise<void> {
  await db.insertInto('activityStreams').values(row).execute();
}

export async function countOrgStreams(db: Db, orgId: string): Promise<number> {
  const row = await db
    .selectFrom('activityStreams')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where('orgId', '=', orgId)
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

/** The org's streams, oldest first, with its chain head's seq (for the lag). */
export async function listOrgStreams(
  db: Db,
  orgId: string,
): Promise<{ streams: ActivityStreamRow[]; headSeq: number }> {
  const streams = await db
    .selectFrom('activityStreams')
    .selectAll()
    .where('orgId', '=', orgId)
    .orderBy('createdAt')
    .orderBy('id')
    .execute();
  return { streams, headSeq: (await readHead(db, orgId)).seq };
}

export async function findStream(db: Db, orgId: string, id: string): Promise<ActivityStreamRow | undefined> {
  return db
    .selectFrom('activityStreams')
    .selectAll()
    .where('orgId', '=', orgId)
    .where('id', '=', id)
    .executeTakeFirst();
}

export async function deleteStream(db: Db, orgId: string, id: string): Promise<boolean> {
  const result = await db
    .deleteFrom('activityStreams')
    .where('orgId', '=', orgId)
    .where('id', '=', id)
    .executeTakeFirst();
  return Number(result.numDeletedRows) > 0;
}

/** Back to delivering, with a fresh 24 hours before it gives up again. */
export async function resumeStream(db: Db, orgId: string, id: string): Promise<boolean> {
  const result = await db
    .updateTable('activityStreams')
    .set({ state: 'active', failingSince: null })
    .where('orgId', '=', orgId)
    .where('id', '=', id)
    .executeTakeFirst();
  return Number(result.numUpdatedRows) > 0;
}

/** Every stream that should be delivering, in any org: each instance tries to lease them. */
export async function selectActiveStreamIds(db: Db): Promise<string[]> {
  const rows = await db.selectFrom('activityStreams').select('id').where('state', '=', 'active').execute();
  return rows.map((row) => row.id);
}

/**
 * Takes or renews the stream's lease for `owner`: only when it is free, lapsed or already
 * `owner`'s, and the stream still active. One conditional UPDATE, so of instances trying at once
 * exactly one gets it. Answers the stream as it now is, or undefined when `owner` does not hold it.
 */
export async function claimLease(
  db: Db,
  id: string,
  owner: string,
  now: number,
  until: number,
): Promise<ActivityStreamRow | undefined> {
  return db
    .updateTable('activityStreams')
    .set({ leaseOwner: owner, leaseUntil: until })
    .where('id', '=', id)
    .where('state', '=', 'active')
    .where((eb) =>
      eb.or([eb('leaseOwner', '=', owner), eb('leaseOwner', 'is', null), eb('leaseUntil', '<', now)]),
    )
    .returningAll()
    .executeTakeFirst();
}

/** Lets another instance take the stream at once (at shutdown). */
export async function releaseLease(db: Db, id: string, owner: string): Promise<void> {
  await db
    .updateTable('activityStreams')
    .set({ leaseOwner: null, leaseUntil: 0 })
    .where('id', '=', id)
    .where('leaseOwner', '=', owner)
    .execute();
}

/**
 * Whether `owner` still holds the stream's lease and the stream is active: a read, for the steps
 * between two writes of the row (the stream deleted or failed, or the lease taken after a stall).
 */
export async function holdsLease(db: Db, id: string, owner: string): Promise<boolean> {
  const row = await db
    .selectFrom('activityStreams')
    .select('id')
    .where('id', '=', id)
    .where('leaseOwner', '=', owner)
    .where('state', '=', 'active')
    .executeTakeFirst();
  return row !== undefined;
}

/**
 * The receiver acknowledged up to `lastSeq` (at `at`): only the lease holder moves the cursor,
 * never back, and renews its lease in the same write. Answers the stream as it now is, or
 * undefined when `owner` no longer holds it.
 */
export async function markDelivered(
  db: Db,
  id: string,
  owner: string,
  delivered: { lastSeq: number; at: number; leaseUntil: number },
): Promise<ActivityStreamRow | undefined> {
  return db
    .updateTable('activityStreams')
    .set({
      deliveredSeq: sql<number>`case when delivered_seq < ${delivered.lastSeq} then ${delivered.lastSeq} else delivered_seq end`,
      lastSuccessAt: delivered.at,
      failingSince: null,
      leaseUntil: delivered.leaseUntil,
    })
    .where('id', '=', id)
    .where('leaseOwner', '=', owner)
    .where('state', '=', 'active')
    .returningAll()
    .executeTakeFirst();
}

/** A failed attempt: kept as the last error; `giveUp` turns the stream `failed`. */
export async function markAttemptFailed(
  db: Db,
  id: string,
  owner: string,
  failure: { error: string; now: number; failingSince: number; giveUp: boolean },
): Promise<void> {
  await db
    .updateTable('activityStreams')
    .set({
      lastError: failure.error,
      lastErrorAt: failure.now,
      failingSince: failure.failingSince,
      ...(failure.giveUp ? { state: 'failed' as const, leaseOwner: null, leaseUntil: 0 } : {}),
    })
    .where('id', '=', id)
    .where('leaseOwner', '=', owner)
    .execute();
}

/** Every stream's lag behind its org's head, for the metrics (one query over all orgs). */
export async function selectStreamLags(db: Db): Promise<Array<{ id: string; state: string; lag: number }>> {
  const rows = await db
    .selectFrom('activityStreams as s')
    .leftJoin('activityChainHeads as h', 'h.orgId', 's.orgId')
    .select(['s.id', 's.state', 's.deliveredSeq', 'h.seq'])
    .execute();
  return rows.map((row) => ({
    id: row.id,
    state: row.state,
    lag: Math.max(0, Number(row.seq ?? 0) - row.deliveredSeq),
  }));
}

/** Rows of before migration 026, their secret and token still in the clear. */
export function selectUnsealedStreams(db: Db): Promise<ActivityStreamRow[]> {
  return db.selectFrom('activityStreams').selectAll().where('sealed', '=', 0).execute();
}

/** Stores a row's sealed secret and token, if no other instance sealed it first. */
export async function storeSealedSecrets(
  db: Db,
  id: string,
  sealed: { secret: string; token: string | null; sealed: number },
): Promise<void> {
  await db.updateTable('activityStreams').set(sealed).where('id', '=', id).where('sealed', '=', 0).execute();
}
