import { type Kysely, sql } from 'kysely';

/**
 * Session Information at enterprise scale (100,000 live sessions an org): the list is paged by
 * cursor, filtered and sorted in SQL, so every filter and sort gets a partial index over live
 * (unrevoked) rows that ends in (last access, id) — the key a page continues from.
 *
 * - `username`: the user's name, copied at login (usernames never change), so a sort or filter by
 *   it reads one index instead of joining every row to `users`.
 * - `os_name`, `browser_name`: the name without its version, lower-cased ("chrome" for "Chrome 131"),
 *   what the filters compare with.
 * - `search`: the lower-cased username and city (JavaScript's lower-casing: SQLite's lower() knows
 *   ASCII only), what the text filter looks in.
 * - `flags`: risk flags found at login, space-separated; `travel`: the impossible-travel figures.
 * - `client_hints`: the client-hint headers sent at login, for the session's page.
 *
 * Sessions that idle out or outlive their lifetime are swept into `revoked_*` (reason `idle` /
 * `expired`), which keeps the live indexes the size of the live sessions; hence the index on
 * expires_at. A session's timeline reads its activities by session id.
 */
// biome-ignore lint/suspicious/noExplicitAny: migrations stay frozen in time (see 001)
export async function up(db: Kysely<any>): Promise<void> {
  for (const column of ['username', 'os_name', 'browser_name', 'search', 'flags']) {
    await db.schema
      .alterTable('sessions')
      .addColumn(column, 'text', (c) => c.notNull().defaultTo(''))
      .execute();
  }
  await db.schema.alterTable('sessions').addColumn('travel', 'text').execute();
  await db.schema.alterTable('sessions').addColumn('client_hints', 'text').execute();
  await backfill(db);

  await db.schema.dropIndex('sessions_live_org_idx').execute();
  const live = (name: string, columns: string, where = '') =>
    sql`create index ${sql.raw(name)} on sessions (${sql.raw(columns)}) where revoked_at is null${sql.raw(where)}`.execute(
      db,
    );
  await live('sessions_live_org_access_idx', 'org_id, last_access_at, id');
  await live('sessions_live_org_created_idx', 'org_id, created_at, id');
  await live('sessions_live_org_username_idx', 'org_id, username, last_access_at, id');
  await live('sessions_live_org_country_idx', "org_id, coalesce(country_code, ''), last_access_at, id");
  await live('sessions_live_org_device_idx', 'org_id, device_type, last_access_at, id');
  await live('sessions_live_org_os_idx', 'org_id, os_name, last_access_at, id');
  await live('sessions_live_org_browser_idx', 'org_id, browser_name, last_access_at, id');
  await live('sessions_live_org_flagged_idx', 'org_id, last_access_at, id', " and flags <> ''");
  await live('sessions_live_expiry_idx', 'expires_at');
  await sql`create index activities_session_idx on activities (session_id, occurred_at) where session_id is not null`.execute(
    db,
  );
}

/** The version at the end of a label: "Chrome 131" → "Chrome", "macOS 10.15.7" → "macOS". */
const TRAILING_VERSION = /\s+v?\d[\w.]*$/i;

// biome-ignore lint/suspicious/noExplicitAny: see above
async function backfill(db: Kysely<any>): Promise<void> {
  const rows: Array<{ id: string; os: string; browser: string; city: string | null; username: string }> =
    await db
      .selectFrom('sessions as s')
      .innerJoin('users as u', 'u.id', 's.user_id')
      .select(['s.id', 's.os', 's.browser', 's.city', 'u.username'])
      .execute();
  for (const row of rows) {
    await db
      .updateTable('sessions')
      .set({
        username: row.username,
        os_name: row.os.replace(TRAILING_VERSION, '').toLowerCase(),
        browser_name: row.browser.replace(TRAILING_VERSION, '').toLowerCase(),
        search: `${row.username}\n${(row.city ?? '').toLowerCase()}`,
      })
      .where('id', '=', row.id)
      .execute();
  }
}

// biome-ignore lint/suspicious/noExplicitAny: see above
export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropIndex('activities_session_idx').execute();
  for (const name of [
    'sessions_live_org_access_idx',
    'sessions_live_org_created_idx',
    'sessions_live_org_username_idx',
    'sessions_live_org_country_idx',
    'sessions_live_org_device_idx',
    'sessions_live_org_os_idx',
    'sessions_live_org_browser_idx',
    'sessions_live_org_flagged_idx',
    'sessions_live_expiry_idx',
  ]) {
    await db.schema.dropIndex(name).execute();
  }
  for (const column of ['username', 'os_name', 'browser_name', 'search', 'flags', 'travel', 'client_hints']) {
    await db.schema.alterTable('sessions').dropColumn(column).execute();
  }
  await sql`create index sessions_live_org_idx on sessions (org_id, last_access_at) where revoked_at is null`.execute(
    db,
  );
}
