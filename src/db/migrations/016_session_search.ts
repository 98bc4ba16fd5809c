import { type Kysely, sql } from 'kysely';
import { isPostgres } from '../dialect.js';

/**
 * SQLite: the session list's text filter `q` without reading every live session of the org
 * (bench:sessions-list, q at 100,000 live sessions). An FTS5 trigram index of the live sessions'
 * search text, kept by triggers in the writing statement's own transaction, and an index of their
 * lower-cased address for the IP-prefix half (lower() folds ASCII only, as LIKE does). The list
 * asks it for candidates only when few sessions hold the text (session-text-match.ts); the rows
 * are then checked exactly as before. Rows are keyed by the sessions table's rowid: nothing
 * here VACUUMs, and 'rebuild' below would re-read every row if anything did.
 *
 * PostgreSQL: nothing (migration 013's trigram and pattern indexes already serve `q`).
 */
// biome-ignore lint/suspicious/noExplicitAny: migrations stay frozen in time (see 001)
export async function up(db: Kysely<any>): Promise<void> {
  if (isPostgres(db)) return;
  await sql`create virtual table session_search using fts5(
    search, content = 'sessions', content_rowid = 'rowid', tokenize = 'trigram'
  )`.execute(db);
  await sql`insert into session_search (rowid, search)
    select rowid, search from sessions where revoked_at is null`.execute(db);
  await sql`create trigger session_search_insert after insert on sessions
    when new.revoked_at is null begin
      insert into session_search (rowid, search) values (new.rowid, new.search);
    end`.execute(db);
  // The indexed row leaves with its old text: external content needs the text it was indexed with.
  await sql`create trigger session_search_update after update of search, revoked_at on sessions
    when old.revoked_at is null begin
      insert into session_search (session_search, rowid, search) values ('delete', old.rowid, old.search);
    end`.execute(db);
  await sql`create trigger session_search_reinsert after update of search, revoked_at on sessions
    when new.revoked_at is null begin
      insert into session_search (rowid, search) values (new.rowid, new.search);
    end`.execute(db);
  await sql`create trigger session_search_delete after delete on sessions
    when old.revoked_at is null begin
      insert into session_search (session_search, rowid, search) values ('delete', old.rowid, old.search);
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
  for (const name of ['insert', 'update', 'reinsert', 'delete']) {
    await sql`drop trigger if exists ${sql.raw(`session_search_${name}`)}`.execute(db);
  }
  await sql`drop table if exists session_search`.execute(db);
}
