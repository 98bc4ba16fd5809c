import { CompiledQuery, type Kysely, sql } from 'kysely';
import { FAILED_STATUSES } from '../../contracts/activity-terms.js';
import { isPostgres } from '../../db/dialect.js';
import type { Schema } from '../../db/schema.js';
import { insertSqliteRows } from '../../db/sqlite-rows.js';
import { HOUR_MS, hourOf } from '../../kernel/time.js';
import type { ActivityHourCountTable, HourCountDim } from '../activity.table.js';
import type { CountedScope } from './counted-scope.js';

type Db = Kysely<Schema>;

/** Rows as the counts see them: one activity each, or `n` alike (a purge's grouped rows). */
export interface CountedRow {
  occurredAt: number;
  activity: string;
  userId: string | null;
  username: string;
  status: string;
  n?: number;
}

type HourCount = Omit<ActivityHourCountTable, 'orgId'>;

const FIELDS = ['orgId', 'dim', 'key', 'hour', 'status', 'n'] as const;
const ADD =
  'on conflict (org_id, dim, key, hour, status) do update set n = activity_hour_counts.n + excluded.n';

/**
 * Adds the rows to their hours' counts (`sign` -1 takes them away), in total, per activity, per
 * user id and per username. Called under the org's chain head lock, so one writer at a time changes an org's
 * counts, in key order.
 */
export async function addHourCounts(
  db: Db,
  orgId: string,
  rows: readonly CountedRow[],
  sign = 1,
): Promise<void> {
  const counts = countByHour(rows, sign);
  if (counts.length === 0) return;
  if (isPostgres(db)) {
    await db.executeQuery(
      CompiledQuery.raw(
        `insert into activity_hour_counts (org_id, dim, key, hour, status, n)
         select $1, * from unnest($2::text[], $3::text[], $4::bigint[], $5::text[], $6::bigint[]) ${ADD}`,
        [
          orgId,
          counts.map((c) => c.dim),
          counts.map((c) => c.key),
          counts.map((c) => c.hour),
          counts.map((c) => c.status),
          counts.map((c) => c.n),
        ],
      ),
    );
  } else {
    await insertSqliteRows(
      db,
      'activity_hour_counts',
      FIELDS,
      counts.map((c) => ({ orgId, ...c })),
      ADD,
    );
  }
  if (sign < 0) await dropEmptyCounts(db, orgId, counts);
}

/** The counts a purge's rows were in, less those rows: called before the rows go, in its transaction. */
export async function subtractPurgedHourCounts(db: Db, orgId: string, throughSeq: number): Promise<void> {
  const hour = sql<number>`occurred_at - ((occurred_at % ${sql.lit(HOUR_MS)}) + ${sql.lit(HOUR_MS)}) % ${sql.lit(HOUR_MS)}`;
  const grouped = await db
    .selectFrom('activities')
    .select([
      hour.as('occurredAt'),
      'activity',
      'userId',
      'username',
      'status',
      sql<number>`count(*)`.as('n'),
    ])
    .where('id', 'in', (eb) =>
      eb
        .selectFrom('activityChainLinks')
        .select('activityId')
        .where('orgId', '=', orgId)
        .where('seq', '<=', throughSeq),
    )
    .groupBy([sql`1`, 'activity', 'userId', 'username', 'status'])
    .execute();
  await addHourCounts(
    db,
    orgId,
    grouped.map((row) => ({ ...row, occurredAt: Number(row.occurredAt), n: Number(row.n) })),
    -1,
  );
}

/** The hours a purge emptied, gone: otherwise every hour the log ever had stays, as zeros. */
async function dropEmptyCounts(db: Db, orgId: string, counts: readonly HourCount[]): Promise<void> {
  const keys = counts.map((c) => sql`(${c.dim}, ${c.key}, ${c.hour}, ${c.status})`);
  for (let i = 0; i < keys.length; i += 1_000) {
    const chunk = keys.slice(i, i + 1_000);
    const list = isPostgres(db) ? sql`(${sql.join(chunk)})` : sql`(values ${sql.join(chunk)})`;
    await sql`delete from activity_hour_counts where org_id = ${orgId} and n <= 0
      and (dim, key, hour, status) in ${list}`.execute(db);
  }
}

/** One count per dimension, hour and status, sorted by key (the order the rows are locked in). */
function countByHour(rows: readonly CountedRow[], sign: number): HourCount[] {
  const counts = new Map<string, HourCount>();
  const add = (dim: HourCountDim, key: string, hour: number, status: string, n: number) => {
    const id = `${dim}\u0000${key}\u0000${hour}\u0000${status}`;
    const found = counts.get(id);
    if (found) found.n += n;
    else counts.set(id, { dim, key, hour, status, n });
  };
  for (const row of rows) {
    const hour = hourOf(row.occurredAt);
    const n = sign * (row.n ?? 1);
    add('all', '', hour, row.status, n);
    add('activity', row.activity, hour, row.status, n);
    if (row.userId !== null) add('user', row.userId, hour, row.status, n);
    add('username', row.username, hour, row.status, n);
  }
  return [...counts.values()].sort(byKey);
}

function byKey(a: HourCount, b: HourCount): number {
  return compare(a.dim, b.dim) || compare(a.key, b.key) || a.hour - b.hour || compare(a.status, b.status);
}

const compare = (x: string, y: string) => (x < y ? -1 : x > y ? 1 : 0);

/**
 * The scope's counts per bucket of `intervalMs` from `from`, each hour in the bucket its start
 * falls in, or its last millisecond (`byHourEnd`); the hour of `from` in the first, those past the
 * last bucket after it (the caller's to place).
 */
export async function hourCountsByBucket(
  db: Db,
  scope: CountedScope,
  range: { from: number; to: number | null; intervalMs: number; byHourEnd: boolean },
): Promise<Array<{ index: number; total: number; failed: number }>> {
  let query = db
    .selectFrom('activityHourCounts')
    .where('orgId', '=', scope.orgId)
    .where('dim', '=', scope.dim)
    .where('key', 'in', scope.keys)
    .where('hour', '>=', hourOf(range.from));
  if (range.to !== null) query = query.where('hour', '<', hourOf(range.to + HOUR_MS - 1));
  if (scope.statuses.length > 0) query = query.where('status', 'in', scope.statuses);
  // The first hour starts before `from`: its bucket is 0 (integer division rounds toward zero).
  const at = range.byHourEnd ? sql`hour + ${HOUR_MS - 1}` : sql`hour`;
  const rows = await query
    .select([
      sql<number>`cast((${at} - ${range.from}) / ${range.intervalMs} as integer)`.as('bucket'),
      sql<number>`sum(n)`.as('total'),
      sql<number>`sum(case when status in (${sql.join([...FAILED_STATUSES])}) then n else 0 end)`.as(
        'failed',
      ),
    ])
    .groupBy(sql`1`)
    .execute();
  return rows.map((row) => ({
    index: Number(row.bucket),
    total: Number(row.total),
    failed: Number(row.failed),
  }));
}

/** Every org's counts rebuilt from the rows: for rows written around the append path (a bulk load). */
export async function fillActivityHourCounts(db: Db): Promise<void> {
  await db.deleteFrom('activityHourCounts').execute();
  const hour = sql.raw(`occurred_at - ((occurred_at % ${HOUR_MS}) + ${HOUR_MS}) % ${HOUR_MS}`);
  for (const [dim, column] of [
    ['all', null],
    ['activity', 'activity'],
    ['user', 'user_id'],
    ['username', 'username'],
  ] as const) {
    const key = sql.raw(column ?? `''`);
    await sql`insert into activity_hour_counts (org_id, dim, key, hour, status, n)
      select org_id, ${dim}, ${key}, ${hour}, status, count(*) from activities
      where ${key} is not null group by org_id, ${hour}, status${sql.raw(column ? `, ${column}` : '')}`.execute(
      db,
    );
  }
}

/** The scope's rows in the hours from `firstHour` up to `endHour` (none: every later hour). */
export async function sumHourCounts(
  db: Db,
  scope: CountedScope,
  firstHour: number,
  endHour: number | null,
): Promise<number> {
  let query = db
    .selectFrom('activityHourCounts')
    .select(sql<number>`coalesce(sum(n), 0)`.as('n'))
    .where('orgId', '=', scope.orgId)
    .where('dim', '=', scope.dim)
    .where('key', 'in', scope.keys)
    .where('hour', '>=', firstHour);
  if (endHour !== null) query = query.where('hour', '<', endHour);
  if (scope.statuses.length > 0) query = query.where('status', 'in', scope.statuses);
  return Number((await query.executeTakeFirstOrThrow()).n);
}
