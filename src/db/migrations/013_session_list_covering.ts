import { type Kysely, sql } from 'kysely';
import { isPostgres } from '../dialect.js';

/**
 * The session list's first page under 50 ms at 100,000 live sessions an org (bench:sessions-list).
 *
 * SQLite: a page and its capped count check each candidate row's lifetime (expires_at, created_at)
 * and, for `q`, its address and search text; absent from the index, each check reads the table
 * row. Every live index gains the lifetime columns and the org's access index also the `q`
 * columns, so a count is read from the index alone and a page reads only the rows it returns.
 * Then ANALYZE: without statistics for the rebuilt indexes the planner sorted instead of walking
 * them in order.
 *
 * PostgreSQL, which already met the target for all but `q`: trigrams (with the org, by btree_gin)
 * for the substring half of `q` and a pattern index for its IP-prefix half, so both halves of the `or` are index scans. As in
 * 003, pg_trgm missing only means `q` scans. (A wider index helps PostgreSQL less: last-access
 * writes keep pages off the visibility map, so an index-only scan still visits the table.)
 */
const SQLITE_INDEXES: Array<[name: string, columns: string, where?: string]> = [
  [
    'sessions_live_org_access_idx',
    'org_id, last_access_at, id, expires_at, created_at, public_ip, search, revoked_at',
  ],
  ['sessions_live_org_created_idx', 'org_id, created_at, id, expires_at, last_access_at, revoked_at'],
  [
    'sessions_live_org_username_idx',
    'org_id, username, last_access_at, id, expires_at, created_at, revoked_at',
  ],
  [
    'sessions_live_org_country_idx',
    "org_id, coalesce(country_code, ''), last_access_at, id, expires_at, created_at, revoked_at",
  ],
  [
    'sessions_live_org_device_idx',
    'org_id, device_type, last_access_at, id, expires_at, created_at, revoked_at',
  ],
  ['sessions_live_org_os_idx', 'org_id, os_name, last_access_at, id, expires_at, created_at, revoked_at'],
  [
    'sessions_live_org_browser_idx',
    'org_id, browser_name, last_access_at, id, expires_at, created_at, revoked_at',
  ],
  [
    'sessions_live_org_flagged_idx',
    'org_id, last_access_at, id, expires_at, created_at, revoked_at',
    " and flags <> ''",
  ],
];

/** The indexes as migration 010 made them, for `down`. */
const NARROW_COLUMNS: Record<string, string> = {
  sessions_live_org_access_idx: 'org_id, last_access_at, id',
  sessions_live_org_created_idx: 'org_id, created_at, id',
  sessions_live_org_username_idx: 'org_id, username, last_access_at, id',
  sessions_live_org_country_idx: "org_id, coalesce(country_code, ''), last_access_at, id",
  sessions_live_org_device_idx: 'org_id, device_type, last_access_at, id',
  sessions_live_org_os_idx: 'org_id, os_name, last_access_at, id',
  sessions_live_org_browser_idx: 'org_id, browser_name, last_access_at, id',
  sessions_live_org_flagged_idx: 'org_id, last_access_at, id',
};

// biome-ignore lint/suspicious/noExplicitAny: migrations stay frozen in time (see 001)
async function rebuild(db: Kysely<any>, name: string, columns: string, where = ''): Promise<void> {
  await db.schema.dropIndex(name).execute();
  await sql`create index ${sql.raw(name)} on sessions (${sql.raw(columns)}) where revoked_at is null${sql.raw(where)}`.execute(
    db,
  );
}

// biome-ignore lint/suspicious/noExplicitAny: migrations stay frozen in time (see 001)
export async function up(db: Kysely<any>): Promise<void> {
  if (!isPostgres(db)) {
    for (const [name, columns, where] of SQLITE_INDEXES) await rebuild(db, name, columns, where);
    await sql`analyze sessions`.execute(db);
    return;
  }
  await sql`create index sessions_live_org_ip_idx on sessions (org_id, public_ip text_pattern_ops) where revoked_at is null`.execute(
    db,
  );
  await sql`
    do $$
    declare
      trgm_schema text;
      org_column text := '';
    begin
      begin
        create extension if not exists pg_trgm schema public;
      exception when others then
        raise warning 'pg_trgm is not available (%); the session list''s text filter will scan', sqlerrm;
        return;
      end;
      -- btree_gin puts the org into the trigram index: a text is then looked up among the org's
      -- sessions only, not every org's. Without it, among all of them.
      begin
        create extension if not exists btree_gin schema public;
        org_column := 'org_id, ';
      exception when others then
        raise warning 'btree_gin is not available (%); the text filter reads other orgs'' matches too', sqlerrm;
      end;
      select n.nspname into trgm_schema
        from pg_extension e join pg_namespace n on n.oid = e.extnamespace
        where e.extname = 'pg_trgm';
      execute format('create index sessions_live_search_trgm_idx on sessions using gin (%s search %I.gin_trgm_ops) where revoked_at is null', org_column, trgm_schema);
    end $$`.execute(db);
}

// biome-ignore lint/suspicious/noExplicitAny: migrations stay frozen in time (see 001)
export async function down(db: Kysely<any>): Promise<void> {
  if (!isPostgres(db)) {
    for (const [name, , where] of SQLITE_INDEXES)
      await rebuild(db, name, NARROW_COLUMNS[name] as string, where);
    return;
  }
  await sql`drop index if exists sessions_live_search_trgm_idx`.execute(db);
  await sql`drop index if exists sessions_live_org_ip_idx`.execute(db);
}
