import { type Kysely, sql } from 'kysely';
import { isPostgres } from '../dialect.js';

/**
 * Trigram indexes for the activity log's text search (`q`, ILIKE '%text%' on target and details),
 * PostgreSQL only. Without them a search for a rare text reads the whole range: 23 s for one year
 * of 10M rows (bench:activity). A common text is still found faster by walking the time index
 * newest first, and the planner keeps doing that.
 *
 * pg_trgm is a trusted extension (PostgreSQL 13+), installed once per database, in `public`, so
 * that every schema using the database shares it. Where it cannot be installed the migration only
 * warns: search works the same, by scanning.
 *
 * The indexes are built inside the migration's transaction, so on a large existing table appends
 * (and with them logins and logouts, which record activities) wait while they build — about 40 s
 * for 10M rows on the 2-core machine. The README says to migrate such a database in a quiet hour.
 */
// biome-ignore lint/suspicious/noExplicitAny: migrations stay frozen in time (see 001)
export async function up(db: Kysely<any>): Promise<void> {
  if (!isPostgres(db)) return;
  await sql`
    do $$
    declare
      trgm_schema text;
    begin
      begin
        create extension if not exists pg_trgm schema public;
      exception when others then
        raise warning 'pg_trgm is not available (%); activity text search will scan', sqlerrm;
        return;
      end;
      select n.nspname into trgm_schema
        from pg_extension e join pg_namespace n on n.oid = e.extnamespace
        where e.extname = 'pg_trgm';
      execute format('create index activities_target_trgm_idx on activities using gin (target %I.gin_trgm_ops)', trgm_schema);
      execute format('create index activities_details_trgm_idx on activities using gin (details %I.gin_trgm_ops)', trgm_schema);
    end $$`.execute(db);
}

// biome-ignore lint/suspicious/noExplicitAny: migrations stay frozen in time (see 001)
export async function down(db: Kysely<any>): Promise<void> {
  if (!isPostgres(db)) return;
  await sql`drop index if exists activities_target_trgm_idx`.execute(db);
  await sql`drop index if exists activities_details_trgm_idx`.execute(db);
}
