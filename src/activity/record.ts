import { CompiledQuery, type Kysely, type Transaction } from 'kysely';
import { isPostgres } from '../db/dialect.js';
import type { Schema } from '../db/schema.js';
import { GENESIS_HASH, hashChainedValues } from './chain.js';

/** An activity row, in ACTIVITY_COLUMNS order. */
type ActivityValues = [
  id: number,
  orgId: string,
  occurredAt: number,
  recordedAt: number,
  userId: string | null,
  username: string,
  activity: string,
  status: string,
  target: string | null,
  details: string | null,
  publicIp: string | null,
  sessionId: string | null,
  idempotencyKey: string | null,
];
/** A chain link, in LINK_COLUMNS order. */
type LinkValues = [orgId: string, seq: number, activityId: number, prevHash: string, hash: string];

const ACTIVITY_COLUMNS = [
  'id',
  'org_id',
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
] as const;
const LINK_COLUMNS = ['org_id', 'seq', 'activity_id', 'prev_hash', 'hash'] as const;
/** A key already stored, or stored meanwhile by a writer in flight, skips its row instead of failing the call. */
const SKIP_STORED_KEYS = 'on conflict (org_id, idempotency_key) where idempotency_key is not null do nothing';
// SQLite binds 13 parameters an activity: 1,000 rows stay under its 32,766 limit.
const SQLITE_CHUNKS = [1_000, 100, 10, 1];
const sqliteInserts = new Map<string, string>();

/**
 * Inserts rows on SQLite in a few fixed statement sizes (at most 9 of each smaller one), not one
 * per row count: each size is a statement of its own in the statement cache. Without Kysely's
 * query building, which cost more than SQLite's own work per row (`vault-sessions demo`).
 */
async function insertSqliteRows(
  trx: Transaction<Schema>,
  table: string,
  columns: readonly string[],
  rows: unknown[][],
  suffix = '',
): Promise<Record<string, unknown>[]> {
  const returned: Record<string, unknown>[] = [];
  for (let i = 0; i < rows.length; ) {
    const size = SQLITE_CHUNKS.find((n) => n <= rows.length - i) as number;
    const chunk = rows.slice(i, i + size);
    i += size;
    const statement = `${table}/${size}/${suffix}`;
    let text = sqliteInserts.get(statement);
    if (text === undefined) {
      const tuple = `(${columns.map(() => '?').join(', ')})`;
      text = `insert into ${table} (${columns.join(', ')}) values ${Array(size).fill(tuple).join(', ')} ${suffix}`;
      sqliteInserts.set(statement, text);
    }
    // A plain loop: Array#flat is several times slower on 13,000 values.
    const params: unknown[] = new Array(size * columns.length);
    let k = 0;
    for (const row of chunk) for (const value of row) params[k++] = value;
    returned.push(...(await trx.executeQuery<Record<string, unknown>>(CompiledQuery.raw(text, params))).rows);
  }
  return returned;
}

/** Ids for rows about to be inserted: the links name their rows before the head is locked. */
async function reserveActivityIds(trx: Transaction<Schema>, count: number): Promise<number[]> {
  if (isPostgres(trx)) {
    // One array, not a row per id: parsing a thousand result rows cost more than the query.
    const { rows } = await trx.executeQuery<{ ids: string[] }>(
      CompiledQuery.raw(
        `select array(select nextval(pg_get_serial_sequence('activities', 'id')) from generate_series(1, $1)) as ids`,
        [count],
      ),
    );
    return (rows[0]?.ids ?? []).map(Number);
  }
  // SQLite has one writer at a time, and AUTOINCREMENT never hands out an id below its high-water mark.
  const { rows } = await trx.executeQuery<{ last: number }>(
    CompiledQuery.raw(
      `select max(coalesce((select seq from sqlite_sequence where name = 'activities'), 0),
                  coalesce((select max(id) from activities), 0)) as last`,
    ),
  );
  const last = rows[0]?.last ?? 0;
  return Array.from({ length: count }, (_, i) => last + 1 + i);
}

/**
 * Inserts the activity rows and their names; returns the ids of the rows inserted, which lack
 * those whose idempotency key was already stored. PostgreSQL gets one statement: one array per
 * column (`unnest`), whatever the row count.
 */
async function insertActivities(
  trx: Transaction<Schema>,
  orgId: string,
  rows: ActivityValues[],
): Promise<Set<number>> {
  if (isPostgres(trx)) {
    // Keys (and names) go in one order in every transaction: two appends that each met a key the
    // other was inserting would otherwise wait for each other (a deadlock, 3 runs out of 3 with the
    // same 2,000 keys in opposite orders). The chain keeps the events' order: links follow `rows`.
    const ordered = rows.toSorted(byIdempotencyKey);
    const arrays = ACTIVITY_COLUMNS.map((_, i) => ordered.map((row) => row[i]));
    const types = ['bigint', 'text', 'bigint', 'bigint', ...Array<string>(9).fill('text')];
    const unnest = types.map((type, i) => `$${i + 1}::${type}[]`).join(', ');
    const { rows: inserted } = await trx.executeQuery<{ ids: string[] }>(
      CompiledQuery.raw(
        `with appended as (
           insert into activities (${ACTIVITY_COLUMNS.join(', ')}) select * from unnest(${unnest})
           ${SKIP_STORED_KEYS} returning id, activity
         ),
         named as (
           insert into activity_names (org_id, name)
           select distinct $${types.length + 1}::text, activity from appended order by activity
           on conflict do nothing
         )
         select array(select id from appended) as ids`,
        [...arrays, orgId],
      ),
    );
    return new Set((inserted[0]?.ids ?? []).map(Number));
  }
  const inserted = await insertSqliteRows(
    trx,
    'activities',
    ACTIVITY_COLUMNS,
    rows,
    `${SKIP_STORED_KEYS} returning id`,
  );
  const ids = new Set(inserted.map((row) => row.id as number));
  const names = new Set(rows.filter((row) => ids.has(row[0])).map((row) => row[6]));
  if (names.size > 0) {
    await trx
      .insertInto('activityNames')
      .values([...names].map((name) => ({ orgId, name })))
      .onConflict((oc) => oc.columns(['orgId', 'name']).doNothing())
      .execute();
  }
  return ids;
}

function byIdempotencyKey(a: ActivityValues, b: ActivityValues): number {
  const [x, y] = [a[12] ?? '', b[12] ?? ''];
  return x < y ? -1 : x > y ? 1 : 0;
}

/** Appends the links and moves the head, under the head's lock: one statement on PostgreSQL. */
async function writeLinks(
  trx: Transaction<Schema>,
  orgId: string,
  links: LinkValues[],
  head: { seq: number; hash: string },
): Promise<void> {
  if (isPostgres(trx)) {
    await trx.executeQuery(
      CompiledQuery.raw(
        `with linked as (
           insert into activity_chain_links (${LINK_COLUMNS.join(', ')})
           select $1, * from unnest($2::bigint[], $3::bigint[], $4::text[], $5::text[])
         )
         update activity_chain_heads set seq = $6, hash = $7 where org_id = $1`,
        [orgId, ...[1, 2, 3, 4].map((i) => links.map((link) => link[i])), head.seq, head.hash],
      ),
    );
    return;
  }
  await insertSqliteRows(trx, 'activity_chain_links', LINK_COLUMNS, links);
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
 *
 * The activity rows go in before the org's chain head is locked, so appends of one org insert
 * them in parallel; under the lock only the narrow links are written (decision 008). A writer in
 * flight with the same idempotency key holds the key in the unique index: the insert waits for it
 * and then skips the row if it committed.
 */
export async function recordActivityGroups(
  trx: Transaction<Schema>,
  orgId: string,
  groups: ActivityEvent[][],
  recordedAt: number,
): Promise<AppendCounts[]> {
  const events = groups.flat();
  if (events.length === 0) return groups.map(() => ({ accepted: 0, duplicates: 0 }));
  const candidates = firstOfEachKey(events);
  const ids = await reserveActivityIds(trx, candidates.filter(Boolean).length);
  const rows: ActivityValues[] = [];
  const rowOf: (ActivityValues | undefined)[] = events.map((event, i) => {
    if (!candidates[i]) return undefined;
    const row: ActivityValues = [
      ids[rows.length] as number,
      orgId,
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
    ];
    rows.push(row);
    return row;
  });
  const inserted = rows.length > 0 ? await insertActivities(trx, orgId, rows) : new Set<number>();
  if (inserted.size > 0) {
    let { seq, hash } = await lockChainHead(trx, orgId);
    const links: LinkValues[] = [];
    for (const [id, ...fields] of rows) {
      if (!inserted.has(id)) continue;
      seq += 1;
      const prevHash = hash;
      const [rowOrg, occurredAt, rowRecordedAt, ...rest] = fields;
      hash = hashChainedValues([rowOrg, seq, occurredAt, rowRecordedAt, ...rest, prevHash]);
      links.push([orgId, seq, id, prevHash, hash]);
    }
    await writeLinks(trx, orgId, links, { seq, hash });
  }
  let i = 0;
  return groups.map((group) => {
    let accepted = 0;
    for (const _ of group) {
      const row = rowOf[i++];
      if (row && inserted.has(row[0])) accepted += 1;
    }
    return { accepted, duplicates: group.length - accepted };
  });
}

/** For each event, false when its idempotency key was already used earlier in the list. */
function firstOfEachKey(events: ActivityEvent[]): boolean[] {
  const seen = new Set<string>();
  return events.map(({ idempotencyKey: key }) => {
    if (!key) return true;
    if (seen.has(key)) return false;
    seen.add(key);
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
