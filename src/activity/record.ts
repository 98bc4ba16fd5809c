import { CompiledQuery, type Kysely, type Transaction } from 'kysely';
import { isPostgres } from '../db/dialect.js';
import type { Schema } from '../db/schema.js';
import { type ChainedValues, GENESIS_HASH, hashChainedValues } from './chain.js';

/** The chained values and the row's hash, in INSERT_COLUMNS order. */
type ActivityValues = [...ChainedValues, hash: string];

const INSERT_COLUMNS = [
  'org_id',
  'seq',
  'occurred_at',
  'recorded_at',
  'user_id',
  'username',
  'activity',
  'status',
  'target',
  'details',
  'public_ip',
  'session_id',
  'idempotency_key',
  'prev_hash',
  'hash',
] as const;
const PG_ARRAY_TYPES = ['text', 'bigint', 'bigint', 'bigint', ...Array<string>(11).fill('text')];
// SQLite binds 15 parameters a row: 1,000 rows stay under its 32,766 limit.
const SQLITE_CHUNKS = [1_000, 100, 10, 1];
const sqliteInserts = new Map<number, string>();

/**
 * Inserts rows without Kysely's query building, which cost more than SQLite's own work per row
 * (bench:activity, `vault-sessions demo`). PostgreSQL gets one array per column (`unnest`): 15
 * parameters whatever the row count, instead of 15 a row to parse and plan.
 */
async function insertActivityValues(trx: Transaction<Schema>, rows: ActivityValues[]): Promise<void> {
  const columns = INSERT_COLUMNS.join(', ');
  if (isPostgres(trx)) {
    const arrays = INSERT_COLUMNS.map((_, i) => rows.map((row) => row[i]));
    const unnest = PG_ARRAY_TYPES.map((type, i) => `$${i + 1}::${type}[]`).join(', ');
    await trx.executeQuery(
      CompiledQuery.raw(`insert into activities (${columns}) select * from unnest(${unnest})`, arrays),
    );
    return;
  }
  for (let i = 0; i < rows.length; ) {
    // A few fixed statement sizes (at most 9 of each smaller one), not one per row count: each
    // size is a statement of its own in the statement cache.
    const size = SQLITE_CHUNKS.find((n) => n <= rows.length - i) as number;
    const chunk = rows.slice(i, i + size);
    i += size;
    let text = sqliteInserts.get(size);
    if (text === undefined) {
      const tuple = `(${INSERT_COLUMNS.map(() => '?').join(', ')})`;
      text = `insert into activities (${columns}) values ${Array(size).fill(tuple).join(', ')}`;
      sqliteInserts.set(size, text);
    }
    // A plain loop: Array#flat is several times slower on 15,000 values.
    const params: unknown[] = new Array(size * INSERT_COLUMNS.length);
    let k = 0;
    for (const row of chunk) for (const value of row) params[k++] = value;
    await trx.executeQuery(CompiledQuery.raw(text, params));
  }
}

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
  const rows: ActivityValues[] = [];
  const names = new Set<string>();
  for (const event of fresh) {
    seq += 1;
    const values: ChainedValues = [
      orgId,
      seq,
      event.occurredAt,
      recordedAt,
      event.userId,
      event.username,
      event.activity,
      event.status,
      event.target ?? null,
      event.details ?? null,
      event.publicIp ?? null,
      event.sessionId ?? null,
      event.idempotencyKey ?? null,
      hash,
    ];
    hash = hashChainedValues(values);
    rows.push([...values, hash]);
    names.add(event.activity);
  }
  if (rows.length > 0) {
    await insertActivityValues(trx, rows);
    await trx
      .insertInto('activityNames')
      .values([...names].map((name) => ({ orgId, name })))
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
