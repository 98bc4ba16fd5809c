import { type Kysely, sql } from 'kysely';
import { isPostgres } from '../dialect.js';

const HOUR = 3_600_000;

/**
 * `activity_hour_counts`: each org's activities counted per hour and status, in total (`dim`
 * 'all', `key` ''), per activity name, per user id and per username, so that a histogram over months reads a few
 * thousand counts instead of grouping millions of rows (decision 023). The append that inserts the
 * rows adds to them under the chain head's lock; retention subtracts what it deletes. Counts are
 * a view of the log, not evidence: they are updated in place (no append-only trigger), and
 * `fillActivityHourCounts` (activity/counts) rebuilds them from the rows.
 *
 * The histogram reads a range of the key with each count: PostgreSQL's primary key includes `n`
 * (an index-only scan; in the heap, one scope's hours lie on as many pages as it had hours),
 * SQLite's table has no rowid and is stored in its key's order.
 * Filling it groups every row of the log four times (README: the cost for a large log).
 */
// biome-ignore lint/suspicious/noExplicitAny: migrations stay frozen in time (see 001)
export async function up(db: Kysely<any>): Promise<void> {
  const pg = isPostgres(db);
  await sql`create table activity_hour_counts (
    org_id text not null,
    dim text not null,
    key text not null,
    hour bigint not null,
    status text not null,
    n bigint not null,
    primary key (org_id, dim, key, hour, status) ${sql.raw(pg ? 'include (n)' : '')}
  ) ${sql.raw(pg ? '' : 'without rowid')}`.execute(db);
  const hour = sql.raw(`occurred_at - ((occurred_at % ${HOUR}) + ${HOUR}) % ${HOUR}`);
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

// biome-ignore lint/suspicious/noExplicitAny: see above
export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('activity_hour_counts').execute();
}
