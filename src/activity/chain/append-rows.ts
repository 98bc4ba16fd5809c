import { CompiledQuery, type Kysely } from 'kysely';
import { isPostgres } from '../../db/dialect.js';
import type { Schema } from '../../db/schema.js';
import { insertSqliteRows, snakeCase } from '../../db/sqlite-rows.js';
import type { ActivityRow } from '../activity.table.js';

const FIELDS = [
  'id',
  'orgId',
  'occurredAt',
  'recordedAt',
  'userId',
  'username',
  'activity',
  'status',
  'target',
  'details',
  'detailsJson',
  'publicIp',
  'sessionId',
  'idempotencyKey',
  'source',
] as const satisfies readonly (keyof ActivityRow)[];
const PG_TYPES = ['bigint', 'text', 'bigint', 'bigint', ...Array<string>(11).fill('text')];
/** A key already stored, or stored meanwhile by a writer in flight, skips its row instead of failing the call. */
const SKIP_STORED_KEYS = 'on conflict (org_id, idempotency_key) where idempotency_key is not null do nothing';

/** Ids for rows about to be inserted: the links name their rows before the head is locked. */
export async function reserveActivityIds(db: Kysely<Schema>, count: number): Promise<number[]> {
  if (isPostgres(db)) {
    // One array, not a row per id: parsing a thousand result rows cost more than the query.
    const { rows } = await db.executeQuery<{ ids: string[] }>(
      CompiledQuery.raw(
        `select array(select nextval(pg_get_serial_sequence('activities', 'id')) from generate_series(1, $1)) as ids`,
        [count],
      ),
    );
    return (rows[0]?.ids ?? []).map(Number);
  }
  // SQLite has one writer at a time, and AUTOINCREMENT never hands out an id below its high-water mark.
  const { rows } = await db.executeQuery<{ last: number }>(
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
export async function insertActivities(
  db: Kysely<Schema>,
  orgId: string,
  rows: ActivityRow[],
): Promise<Set<number>> {
  if (isPostgres(db)) {
    // Keys (and names) go in one order in every transaction: two appends that each met a key the
    // other was inserting would otherwise wait for each other (a deadlock, 3 runs out of 3 with the
    // same 2,000 keys in opposite orders). The chain keeps the events' order: links follow `rows`.
    const ordered = rows.toSorted(byIdempotencyKey);
    const arrays = FIELDS.map((field) => ordered.map((row) => row[field]));
    const unnest = PG_TYPES.map((type, i) => `$${i + 1}::${type}[]`).join(', ');
    const { rows: inserted } = await db.executeQuery<{ ids: string[] }>(
      CompiledQuery.raw(
        `with appended as (
           insert into activities (${FIELDS.map(snakeCase).join(', ')}) select * from unnest(${unnest})
           ${SKIP_STORED_KEYS} returning id, activity
         ),
         named as (
           insert into activity_names (org_id, name)
           select distinct $${PG_TYPES.length + 1}::text, activity from appended order by activity
           on conflict do nothing
         )
         select array(select id from appended) as ids`,
        [...arrays, orgId],
      ),
    );
    return new Set((inserted[0]?.ids ?? []).map(Number));
  }
  const inserted = await insertSqliteRows(db, 'activities', FIELDS, rows, `${SKIP_STORED_KEYS} returning id`);
  const ids = new Set(inserted.map((row) => row.id as number));
  const names = new Set(rows.filter((row) => ids.has(row.id)).map((row) => row.activity));
  if (names.size > 0) {
    await db
      .insertInto('activityNames')
      .values([...names].map((name) => ({ orgId, name })))
      .onConflict((oc) => oc.columns(['orgId', 'name']).doNothing())
      .execute();
  }
  return ids;
}

function byIdempotencyKey(a: ActivityRow, b: ActivityRow): number {
  const [x, y] = [a.idempotencyKey ?? '', b.idempotencyKey ?? ''];
  return x < y ? -1 : x > y ? 1 : 0;
}
