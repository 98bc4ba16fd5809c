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
 * Writes the rows, the activity names and the new chain head without Kysely's query building,
 * which cost more than SQLite's own work per row (bench:activity, `vault-sessions demo`).
 * PostgreSQL gets one statement: one array per column (`unnest`), 19 parameters whatever the row
 * count, and a single round trip while the chain head is locked.
 */
async function writeAppend(
  trx: Transaction<Schema>,
  orgId: string,
  rows: ActivityValues[],
  names: string[],
  head: { seq: number; hash: string },
): Promise<void> {
  const columns = INSERT_COLUMNS.join(', ');
  if (isPostgres(trx)) {
    const arrays = INSERT_COLUMNS.map((_, i) => rows.map((row) => row[i]));
    const unnest = PG_ARRAY_TYPES.map((type, i) => `$${i + 1}::${type}[]`).join(', ');
    const n = INSERT_COLUMNS.length;
    await trx.executeQuery(
      CompiledQuery.raw(
        `with appended as (insert into activities (${columns}) select * from unnest(${unnest})),
         named as (
           insert into activity_names (org_id, name) select $${n + 1}, unnest($${n + 2}::text[])
           on conflict do nothing
         )
         update activity_chain_heads set seq = $${n + 3}, hash = $${n + 4} where org_id = $${n + 1}`,
        [...arrays, orgId, names, head.seq, head.hash],
      ),
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
  await trx
    .insertInto('activityNames')
    .values(names.map((name) => ({ orgId, name })))
    .onConflict((oc) => oc.columns(['orgId', 'name']).doNothing())
    .execute();
  await trx.updateTable('activityChainHeads').set(head).where('orgId', '=', orgId).execute();
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

export interface AppendCounts {
  accepted: number;
  duplicates: number;
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
): Promise<AppendCounts> {
  const [counts] = await recordActivityGroups(trx, orgId, [events], recordedAt);
  return counts as AppendCounts;
}

/**
 * Appends several callers' events, in order, as one piece of the chain, and counts each caller's
 * accepted events and duplicates (a key repeated in a later group is that group's duplicate).
 */
export async function recordActivityGroups(
  trx: Transaction<Schema>,
  orgId: string,
  groups: ActivityEvent[][],
  recordedAt: number,
): Promise<AppendCounts[]> {
  const events = groups.flat();
  if (events.length === 0) return groups.map(() => ({ accepted: 0, duplicates: 0 }));
  let { seq, hash } = await lockChainHead(trx, orgId);
  // Under the chain lock, writers of one org take turns: a retry racing its original sees its rows.
  const fresh = await freshEvents(trx, orgId, events);
  const rows: ActivityValues[] = [];
  const names = new Set<string>();
  events.forEach((event, i) => {
    if (!fresh[i]) return;
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
  });
  if (rows.length > 0) await writeAppend(trx, orgId, rows, [...names], { seq, hash });
  let i = 0;
  return groups.map((group) => {
    let accepted = 0;
    for (const _ of group) if (fresh[i++]) accepted += 1;
    return { accepted, duplicates: group.length - accepted };
  });
}

/**
 * For each event, whether it is new: false when its idempotency key is already stored, or repeated
 * earlier in the list.
 */
async function freshEvents(trx: Kysely<Schema>, orgId: string, events: ActivityEvent[]): Promise<boolean[]> {
  const keys = events.map((e) => e.idempotencyKey).filter((k): k is string => typeof k === 'string');
  const seen = new Set(keys.length === 0 ? [] : await storedIdempotencyKeys(trx, orgId, keys));
  return events.map(({ idempotencyKey: key }) => {
    if (!key) return true;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

/**
 * Which of these keys the org already has, one index probe per key. On PostgreSQL,
 * `idempotency_key in (…1,000 keys)` was planned as a walk over all of the org's keyed rows with
 * the list as a filter (the statistics saw few keyed rows): 127 ms a call at 323k keyed rows, and
 * growing, under the chain lock. LATERAL … LIMIT 1 cannot be turned back into that walk: ~2 ms for
 * 1,000 keys, whatever the table holds (decision 007).
 */
export function storedIdempotencyKeysQuery(
  trx: Kysely<Schema>,
  orgId: string,
  keys: string[],
): CompiledQuery {
  if (isPostgres(trx)) {
    return CompiledQuery.raw(
      `select k.key from unnest($2::text[]) as k(key)
       cross join lateral (
         select 1 from activities a where a.org_id = $1 and a.idempotency_key = k.key limit 1
       ) stored`,
      [orgId, keys],
    );
  }
  // One statement text whatever the number of keys, so groups of any size share one cached statement.
  return CompiledQuery.raw(
    `select value as key from json_each(?)
     where exists (select 1 from activities where org_id = ? and idempotency_key = value)`,
    [JSON.stringify(keys), orgId],
  );
}

async function storedIdempotencyKeys(trx: Kysely<Schema>, orgId: string, keys: string[]): Promise<string[]> {
  const { rows } = await trx.executeQuery<{ key: string }>(storedIdempotencyKeysQuery(trx, orgId, keys));
  return rows.map((row) => row.key);
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
