import type { Kysely, Transaction } from 'kysely';
import { isPostgres } from '../db/dialect.js';
import type { Schema } from '../db/schema.js';
import type { NewActivityRow } from './activity.table.js';
import { GENESIS_HASH, hashActivity } from './chain.js';

// 15 parameters a row: 1,000 rows stay under SQLite's 32,766 and PostgreSQL's 65,535 bind limits.
const INSERT_CHUNK = 1_000;

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
): Promise<{ accepted: number; duplicates: number }> {
  if (events.length === 0) return { accepted: 0, duplicates: 0 };
  let { seq, hash } = await lockChainHead(trx, orgId);
  // Under the chain lock, writers of one org take turns: a retry racing its original sees its rows.
  const fresh = await withoutDuplicates(trx, orgId, events);
  const rows: NewActivityRow[] = [];
  for (const event of fresh) {
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
  if (rows.length > 0) {
    for (let i = 0; i < rows.length; i += INSERT_CHUNK) {
      await trx
        .insertInto('activities')
        .values(rows.slice(i, i + INSERT_CHUNK))
        .execute();
    }
    const names = [...new Set(rows.map((r) => r.activity))].map((name) => ({ orgId, name }));
    await trx
      .insertInto('activityNames')
      .values(names)
      .onConflict((oc) => oc.columns(['orgId', 'name']).doNothing())
      .execute();
    await trx.updateTable('activityChainHeads').set({ seq, hash }).where('orgId', '=', orgId).execute();
  }
  return { accepted: rows.length, duplicates: events.length - rows.length };
}

/** Drops events whose idempotency key is already stored, or repeated earlier in the same batch. */
async function withoutDuplicates(
  trx: Kysely<Schema>,
  orgId: string,
  events: ActivityEvent[],
): Promise<ActivityEvent[]> {
  const keys = events.map((e) => e.idempotencyKey).filter((k): k is string => typeof k === 'string');
  if (keys.length === 0) return events;
  const stored = await trx
    .selectFrom('activities')
    .select('idempotencyKey')
    .where('orgId', '=', orgId)
    .where('idempotencyKey', 'in', keys)
    .execute();
  const seen = new Set(stored.map((r) => r.idempotencyKey));
  return events.filter((event) => {
    if (!event.idempotencyKey) return true;
    if (seen.has(event.idempotencyKey)) return false;
    seen.add(event.idempotencyKey);
    return true;
  });
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
