import type { Kysely } from 'kysely';

/** The indexes a user or an activity filter reads, with the columns they had before 027. */
const CHECKED_IN_THE_INDEX = {
  activities_org_user_time_idx: ['org_id', 'user_id', 'occurred_at', 'id'],
  activities_org_activity_time_idx: ['org_id', 'activity', 'occurred_at', 'id'],
  activities_org_username_idx: ['org_id', 'username', 'occurred_at', 'id'],
  activities_org_user_activity_time_idx: ['org_id', 'user_id', 'activity', 'occurred_at', 'id'],
} as const;

/**
 * The activity log's filters that no index served (issue 15):
 * - a username with activities: the username index (002) gave the name's rows by time, and each
 *   row was read to check its activity;
 * - a status: the rarer statuses (`failure`) are what people look for, and they were found by
 *   reading the org's rows newest first, all of them when none matched;
 * - a status with a user or an activity, and the histogram's failed counts: each row of the user
 *   or activity was read to check its status.
 * So every index a filter reads ends in the status, and the status index in the user and the
 * activity: the remaining conditions are checked in the index, not row by row (SQLite defers
 * reading the row until a condition needs it; PostgreSQL checks key columns before the heap).
 * The key columns before them are unchanged, so every sort and keyset they served still holds.
 * Rebuilding them holds appends on a large table for a while, like 003 (README).
 */
// biome-ignore lint/suspicious/noExplicitAny: migrations stay frozen in time (see 001)
export async function up(db: Kysely<any>): Promise<void> {
  for (const [name, columns] of Object.entries(CHECKED_IN_THE_INDEX)) {
    await db.schema.dropIndex(name).execute();
    await db.schema
      .createIndex(name)
      .on('activities')
      .columns([...columns, 'status'])
      .execute();
  }
  await db.schema
    .createIndex('activities_org_username_activity_time_idx')
    .on('activities')
    .columns(['org_id', 'username', 'activity', 'occurred_at', 'id', 'status'])
    .execute();
  await db.schema
    .createIndex('activities_org_status_time_idx')
    .on('activities')
    .columns(['org_id', 'status', 'occurred_at', 'id', 'user_id', 'username', 'activity'])
    .execute();
}

// biome-ignore lint/suspicious/noExplicitAny: see above
export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropIndex('activities_org_status_time_idx').ifExists().execute();
  await db.schema.dropIndex('activities_org_username_activity_time_idx').ifExists().execute();
  for (const [name, columns] of Object.entries(CHECKED_IN_THE_INDEX)) {
    await db.schema.dropIndex(name).execute();
    await db.schema
      .createIndex(name)
      .on('activities')
      .columns([...columns])
      .execute();
  }
}
