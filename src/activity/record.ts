import type { Kysely, Transaction } from 'kysely';
import { isPostgres } from '../db/dialect.js';
import type { Schema } from '../db/schema.js';
import type { NewActivityRow } from './activity.table.js';
import { GENESIS_HASH, hashActivity } from './chain.js';

/** One activity to append, as services describe it. */
export interface ActivityEvent {
  occurredAt: number;
  userId: string | null;
  username: string;
  activity: string;
  status: 'success' | 'failure' | string;
  target?: string | null;
  details?: string | null;
  publicIp?: string | null;
  sessionId?: string | null;
  idempotencyKey?: string | null;
}

/**
 * Appends events to an org's hash chain. Must run inside the transaction of the change it
 * describes, so the trail can never miss (or invent) a change.
 */
export async function recordActivities(
  trx: Transaction<Schema>,
  orgId: string,
  events: ActivityEvent[],
  recordedAt: number,
): Promise<void> {
  if (events.length === 0) return;
  let { seq, hash } = await lockChainHead(trx, orgId);
  const rows: NewActivityRow[] = [];
  for (const event of events) {
    seq += 1;
    const fields = {
      orgId,
      seq,
      occurredAt: event.occurredAt,
      recordedAt,
      userId: event.userId,
      username: event.username,
      activity: event.activity,
      status: event.status,
      target: event.target ?? null,
      details: event.details ?? null,
      publicIp: event.publicIp ?? null,
      sessionId: event.sessionId ?? null,
      idempotencyKey: event.idempotencyKey ?? null,
      prevHash: hash,
    };
    hash = hashActivity(fields);
    rows.push({ ...fields, hash });
  }
  await trx.insertInto('activities').values(rows).execute();
  await trx.updateTable('activityChainHeads').set({ seq, hash }).where('orgId', '=', orgId).execute();
}

/** Reads the chain head under a row lock (PostgreSQL); SQLite serialises writers anyway. */
async function lockChainHead(trx: Kysely<Schema>, orgId: string): Promise<{ seq: number; hash: string }> {
  await trx
    .insertInto('activityChainHeads')
    .values({ orgId, seq: 0, hash: GENESIS_HASH })
    .onConflict((oc) => oc.column('orgId').doNothing())
    .execute();
  const query = trx.selectFrom('activityChainHeads').select(['seq', 'hash']).where('orgId', '=', orgId);
  return (isPostgres(trx) ? query.forUpdate() : query).executeTakeFirstOrThrow();
}
