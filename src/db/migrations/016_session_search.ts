import { type Kysely, sql } from 'kysely';
import { isPostgres } from '../dialect.js';

/**
 * SQLite: the session list's text filter `q` without reading every live session of the org
 * (bench:sessions-list, q at 100,000 live sessions). An FTS5 trigram index of every session's
 * search text, kept by triggers in the writing statement's own transaction, and an index of live
 * sessions' lower-cased address for the IP-prefix half (lower() folds ASCII only, as LIKE does).
 * The list asks them for candidates only when few sessions hold the text (session-text-match.ts);
 * the rows are then checked exactly as before.
 *
 * Every session, not only live ones: taking a row out of an FTS index on each revocation cost
 * 0.1-0.2 ms a row (a Logout of 10,000: +0.9 s contentless, +2 s with external content), and the
 * Logout already misses its target. Contentless (the text stays in `sessions`), keyed by the
 * sessions table's rowid, which nothing here VACUUMs.
 *
 * PostgreSQL: nothing (migration 013's trigram and pattern indexes already serve `q`).
 */
// biome-ignore lint/suspicious/noExplicitAny: migrations stay frozen in time (see 001)
export async function up(db: Kysely<any>): Promise<void> {
  if (isPostgres(db)) return;
  await sql`create virtual table session_search using fts5(
    search, content = '', contentless_delete = 1, tokenize = 'trigram'
  )`.execute(db);
  await sql`insert into session_search (rowid, search) select rowid, search from sessions`.execute(db);
  await sql`create trigger session_search_insert after insert on sessions begin
      insert into session_search (rowid, search) values (new.rowid, new.search);
    end`.execute(db);
  // Only a new text re-indexes: last-access writes and revocations leave the index alone.
  await sql`create trigger session_search_update after update of search on sessions begin
      delete from session_search where rowid = old.rowid;
      insert into session_search (rowid, search) values (new.rowid, new.search);
    end`.execute(db);
  await sql`create trigger session_search_delete after delete on sessions begin
      delete from session_search where rowid = old.rowid;
    end`.execute(db);
  await sql`create index sessions_live_org_ip_idx on sessions (org_id, lower(public_ip)) where revoked_at is null`.execute(
    db,
  );
  await sql`analyze sessions`.execute(db);
}

// biome-ignore lint/suspicious/noExplicitAny: see above
export async function down(db: Kysely<any>): Promise<void> {
  if (isPostgres(db)) return;
  await sql`drop index if exists sessions_live_org_ip_idx`.execute(db);
  for (const name of ['insert', 'update', 'delete']) {
    await sql`drop trigger if exists ${sql.raw(`session_search_${name}`)}`.execute(db);
  }
  await sql`drop table if exists session_search`.execute(db);
}
