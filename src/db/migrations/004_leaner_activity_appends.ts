import { type Kysely, sql } from 'kysely';
import { isPostgres } from '../dialect.js';

/**
 * Less work per appended activity on PostgreSQL, where one org's appends take turns on its chain
 * head and the insert is most of the time the head is held (bench:activity, ingest):
 *
 * - One trigram index over target and details, joined by U+0001, instead of one for each: half
 *   the index upkeep per row, and a search for any text without U+0001 matches the joined value
 *   exactly when it matches either column (src/activity/activity.repository.ts).
 * - No foreign key from activities to orgs: its per-row check was ~15 % of an append. An
 *   activity's org still always exists and can never be deleted: every append first locks (or
 *   creates) the org's chain head, a row that references the org, in the same transaction.
 *
 * Building the index holds appends on a large table, like 003 (about a minute for 10M rows on the
 * 2-core machine): migrate such a database in a quiet hour (README).
 */
/** Runs `body` (PL/pgSQL) where pg_trgm is installed, with its schema in `trgm_schema`. */
// biome-ignore lint/suspicious/noExplicitAny: migrations stay frozen in time (see 001)
function withTrigrams(db: Kysely<any>, body: string) {
  return sql
    .raw(`
    do $$
    declare
      trgm_schema text;
    begin
      select n.nspname into trgm_schema
        from pg_extension e join pg_namespace n on n.oid = e.extnamespace
        where e.extname = 'pg_trgm';
      if trgm_schema is null then return; end if;
      ${body}
    end $$`)
    .execute(db);
}

// biome-ignore lint/suspicious/noExplicitAny: migrations stay frozen in time (see 001)
export async function up(db: Kysely<any>): Promise<void> {
  if (!isPostgres(db)) return;
  await sql`alter table activities drop constraint if exists activities_org_id_fkey`.execute(db);
  await withTrigrams(
    db,
    `execute format($f$create index activities_text_trgm_idx on activities using gin
        ((coalesce(target, '') || E'\\x01' || coalesce(details, '')) %I.gin_trgm_ops)$f$, trgm_schema);
      drop index if exists activities_target_trgm_idx;
      drop index if exists activities_details_trgm_idx;`,
  );
}

// biome-ignore lint/suspicious/noExplicitAny: migrations stay frozen in time (see 001)
export async function down(db: Kysely<any>): Promise<void> {
  if (!isPostgres(db)) return;
  await withTrigrams(
    db,
    `if to_regclass('activities_text_trgm_idx') is not null then
        execute format('create index activities_target_trgm_idx on activities using gin (target %I.gin_trgm_ops)', trgm_schema);
        execute format('create index activities_details_trgm_idx on activities using gin (details %I.gin_trgm_ops)', trgm_schema);
        drop index activities_text_trgm_idx;
      end if;`,
  );
  await sql`alter table activities add constraint activities_org_id_fkey foreign key (org_id) references orgs (id)`.execute(
    db,
  );
}
