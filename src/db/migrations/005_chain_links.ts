import { type Kysely, sql } from 'kysely';
import { isPostgres } from '../dialect.js';

/**
 * The hash chain's links (seq, prev_hash, hash) move from `activities` to their own narrow table,
 * so an append inserts the wide, many-indexed activity rows before it locks the org's chain head
 * and, under the lock, only its links (decision 008). Several appends of one org then insert their
 * rows in parallel; on PostgreSQL the insert was three quarters of the time the head was held.
 *
 * The links are copied, then the columns dropped. On PostgreSQL that copies ~10M rows in about a
 * minute on the 2-core machine, with appends held: migrate a large database in a quiet hour
 * (README). SQLite cannot drop a column of a UNIQUE constraint: it rebuilds `activities`.
 */
// biome-ignore lint/suspicious/noExplicitAny: migrations stay frozen in time (see 001)
export async function up(db: Kysely<any>): Promise<void> {
  if (isPostgres(db)) {
    await sql`create table activity_chain_links (
      org_id text not null,
      seq bigint not null,
      activity_id bigint not null,
      prev_hash text not null,
      hash text not null
    )`.execute(db);
    await sql`insert into activity_chain_links (org_id, seq, activity_id, prev_hash, hash)
      select org_id, seq, id, prev_hash, hash from activities`.execute(db);
    // Built after the copy: one sort instead of ten million index insertions.
    await sql`alter table activity_chain_links add constraint activity_chain_links_pkey primary key (org_id, seq)`.execute(
      db,
    );
    await sql`create trigger activity_chain_links_append_only before update or delete on activity_chain_links
      for each row execute function activities_append_only()`.execute(db);
    await sql`alter table activities drop constraint activities_org_seq_key,
      drop column seq, drop column prev_hash, drop column hash`.execute(db);
    return;
  }
  await inSqliteTransaction(db, async () => {
    await sql`create table activity_chain_links (
      org_id text not null,
      seq integer not null,
      activity_id integer not null,
      prev_hash text not null,
      hash text not null,
      primary key (org_id, seq)
    ) without rowid`.execute(db);
    await sql`insert into activity_chain_links (org_id, seq, activity_id, prev_hash, hash)
      select org_id, seq, id, prev_hash, hash from activities order by org_id, seq`.execute(db);
    await sqliteAppendOnly(db, 'activity_chain_links');
    await rebuildSqliteActivities(
      db,
      `"id" integer primary key autoincrement, "org_id" text not null references "orgs" ("id"),
       "occurred_at" bigint not null, "recorded_at" bigint not null, "user_id" text, "username" text not null,
       "activity" text not null, "status" text not null, "target" text, "details" text, "public_ip" text,
       "session_id" text, "idempotency_key" text`,
      `id, org_id, occurred_at, recorded_at, user_id, username, activity, status, target, details,
       public_ip, session_id, idempotency_key`,
    );
  });
}

// biome-ignore lint/suspicious/noExplicitAny: migrations stay frozen in time (see 001)
export async function down(db: Kysely<any>): Promise<void> {
  if (isPostgres(db)) {
    await sql`alter table activities add column seq bigint, add column prev_hash text, add column hash text`.execute(
      db,
    );
    await sql`alter table activities disable trigger activities_append_only`.execute(db);
    await sql`update activities a set seq = l.seq, prev_hash = l.prev_hash, hash = l.hash
      from activity_chain_links l where l.activity_id = a.id`.execute(db);
    await sql`alter table activities enable trigger activities_append_only`.execute(db);
    // Rows a link never reached (an append cut off between the two tables cannot happen: one
    // transaction) would fail the not-null constraints here, as they should.
    await sql`alter table activities alter column seq set not null, alter column prev_hash set not null,
      alter column hash set not null, add constraint activities_org_seq_key unique (org_id, seq)`.execute(db);
    await sql`drop table activity_chain_links`.execute(db);
    return;
  }
  await inSqliteTransaction(db, async () => {
    await rebuildSqliteActivities(
      db,
      `"id" integer primary key autoincrement, "org_id" text not null references "orgs" ("id"),
       "seq" bigint not null, "occurred_at" bigint not null, "recorded_at" bigint not null, "user_id" text,
       "username" text not null, "activity" text not null, "status" text not null, "target" text,
       "details" text, "public_ip" text, "session_id" text, "idempotency_key" text,
       "prev_hash" text not null, "hash" text not null,
       constraint "activities_org_seq_key" unique ("org_id", "seq")`,
      `a.id, a.org_id, l.seq, a.occurred_at, a.recorded_at, a.user_id, a.username, a.activity, a.status,
       a.target, a.details, a.public_ip, a.session_id, a.idempotency_key, l.prev_hash, l.hash`,
      // A left join: an activity without a link fails the not-null constraints instead of vanishing.
      'activities a left join activity_chain_links l on l.activity_id = a.id',
    );
    await sql`drop table activity_chain_links`.execute(db);
  });
}

// biome-ignore lint/suspicious/noExplicitAny: migrations stay frozen in time (see 001)
async function inSqliteTransaction(db: Kysely<any>, body: () => Promise<void>): Promise<void> {
  // Kysely runs SQLite migrations outside a transaction; a rebuild cut off halfway must roll back.
  await sql`begin`.execute(db);
  try {
    await body();
    await sql`commit`.execute(db);
  } catch (error) {
    await sql`rollback`.execute(db);
    throw error;
  }
}

// biome-ignore lint/suspicious/noExplicitAny: migrations stay frozen in time (see 001)
async function sqliteAppendOnly(db: Kysely<any>, table: string): Promise<void> {
  await sql
    .raw(`create trigger ${table}_no_update before update on ${table}
      begin select raise(abort, 'activities are append-only'); end`)
    .execute(db);
  await sql
    .raw(`create trigger ${table}_no_delete before delete on ${table}
      when not exists (select 1 from activity_purge_permits)
      begin select raise(abort, 'activities are append-only'); end`)
    .execute(db);
}

/**
 * SQLite's way to change a table's columns: a new table, the rows copied, the old one dropped and
 * the new one renamed; then its indexes and triggers again, and the AUTOINCREMENT high-water mark,
 * so ids are never reused.
 */
async function rebuildSqliteActivities(
  // biome-ignore lint/suspicious/noExplicitAny: migrations stay frozen in time (see 001)
  db: Kysely<any>,
  columns: string,
  select: string,
  from = 'activities',
): Promise<void> {
  const { rows: extras } = await sql<{ sql: string }>`select sql from sqlite_master
    where tbl_name = 'activities' and type in ('index', 'trigger') and sql is not null`.execute(db);
  const { rows: counter } = await sql<{ seq: number }>`select seq from sqlite_sequence
    where name = 'activities'`.execute(db);
  await sql.raw(`create table activities_rebuilt (${columns})`).execute(db);
  await sql.raw(`insert into activities_rebuilt select ${select} from ${from}`).execute(db);
  await sql`drop table activities`.execute(db);
  await sql`alter table activities_rebuilt rename to activities`.execute(db);
  for (const { sql: statement } of extras) await sql.raw(statement).execute(db);
  await sql`delete from sqlite_sequence where name = 'activities'`.execute(db);
  await sql`insert into sqlite_sequence (name, seq)
    select 'activities', max(coalesce(max(id), 0), ${counter[0]?.seq ?? 0}) from activities`.execute(db);
}
