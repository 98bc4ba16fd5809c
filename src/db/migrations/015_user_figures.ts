import { type Kysely, sql } from 'kysely';
import { isPostgres } from '../dialect.js';

/**
 * The Users page a page at a time, at 10,000+ users an org (accounts/user-page.repository.ts,
 * sessions/session-figures.repository.ts):
 *
 * - `sessions_org_user_access_idx`: a page's last activity (the latest access of every session of
 *   its 100 users, live or ended), from the index alone; on SQLite, with the lifetime columns, the
 *   page's live counts too. On PostgreSQL it holds the ended sessions only (the live ones are in
 *   sessions_live_user_idx), and the query asks each half apart. The
 *   live indexes hold no ended sessions and the device index no access times, so without it a
 *   user with years of ended sessions cost a table row per session.
 * - PostgreSQL only, `users_org_username_c_idx`: the list pages and searches usernames in byte
 *   order (`collate "C"`), the same on every database collation; the default-collation
 *   users_org_idx cannot serve that order. SQLite compares bytes already.
 */
// biome-ignore lint/suspicious/noExplicitAny: migrations stay frozen in time (see 001)
export async function up(db: Kysely<any>): Promise<void> {
  if (isPostgres(db)) {
    // Ended sessions only: the live ones have their own indexes, and an index of every session
    // took the planner's pick for the session list's user filter and `q` over the live ones.
    await sql`create index sessions_org_user_access_idx on sessions (org_id, user_id, last_access_at) where revoked_at is not null`.execute(
      db,
    );
    await sql`create index users_org_username_c_idx on users (org_id, username collate "C")`.execute(db);
    return;
  }
  await sql`create index sessions_org_user_access_idx on sessions (org_id, user_id, last_access_at, revoked_at, expires_at, created_at, id)`.execute(
    db,
  );
}

// biome-ignore lint/suspicious/noExplicitAny: see above
export async function down(db: Kysely<any>): Promise<void> {
  await sql`drop index if exists users_org_username_c_idx`.execute(db);
  await sql`drop index if exists sessions_org_user_access_idx`.execute(db);
}
