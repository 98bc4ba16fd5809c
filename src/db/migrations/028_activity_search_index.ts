import { type Kysely, sql } from 'kysely';
import { isPostgres } from '../dialect.js';

/** What `q` is matched against, as search/text-match.ts's textMatches reads it, apart. */
const searchText = (row: string) =>
  sql.raw(
    `coalesce(${row}.target, '') || char(1) || coalesce(${row}.details, '') || char(1) || coalesce(${row}.public_ip, '')`,
  );

/**
 * SQLite: the activity log's `q` without reading every row of the period when the text is rare or
 * absent (a `q` that matched nothing read a year of rows, decision 022). An FTS5
 * trigram index of each row's target, details and address, kept by triggers in the appending
 * transaction, as migration 016 does for sessions. The search asks it for candidates only when
 * few rows hold the text, then checks them exactly as before (search/text-match.ts).
 * Contentless (the text stays in `activities`), keyed by the rowid, which activities' integer
 * key is; without positions (`detail=none`: a query ANDs the text's trigrams), which keeps the
 * index less than half the size and appends cheaper (decision 022). Retention's deletes take rows
 * out.
 *
 * PostgreSQL: nothing (migrations 004 and 020's trigram and pattern indexes serve `q`).
 */
// biome-ignore lint/suspicious/noExplicitAny: migrations stay frozen in time (see 001)
export async function up(db: Kysely<any>): Promise<void> {
  if (isPostgres(db)) return;
  await sql`create virtual table activity_search using fts5(
    text, content = '', contentless_delete = 1, tokenize = 'trigram', detail = none
  )`.execute(db);
  await sql`insert into activity_search (rowid, text)
    select id, ${searchText('activities')} from activities`.execute(db);
  await sql`create trigger activity_search_insert after insert on activities begin
      insert into activity_search (rowid, text) values (new.id, ${searchText('new')});
    end`.execute(db);
  await sql`create trigger activity_search_delete after delete on activities begin
      delete from activity_search where rowid = old.id;
    end`.execute(db);
}

// biome-ignore lint/suspicious/noExplicitAny: see above
export async function down(db: Kysely<any>): Promise<void> {
  if (isPostgres(db)) return;
  for (const name of ['insert', 'delete']) {
    await sql`drop trigger if exists ${sql.raw(`activity_search_${name}`)}`.execute(db);
  }
  await sql`drop table if exists activity_search`.execute(db);
}
