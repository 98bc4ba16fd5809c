import { type Kysely, sql } from 'kysely';
import { autoIncrementKey, idColumnType, isPostgres } from '../dialect.js';

// Migrations take Kysely<any> so they stay frozen in time, whatever the schema types become.
// biome-ignore lint/suspicious/noExplicitAny: see above
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('orgs')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .execute();

  await db.schema
    .createTable('users')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('org_id', 'text', (c) => c.notNull().references('orgs.id'))
    .addColumn('username', 'text', (c) => c.notNull().unique())
    .addColumn('password_hash', 'text', (c) => c.notNull())
    .addColumn('role', 'text', (c) => c.notNull().check(sql`role in ('admin', 'user')`))
    .addColumn('disabled_at', 'bigint')
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('password_changed_at', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('users_org_idx').on('users').columns(['org_id', 'username']).execute();

  await db.schema
    .createTable('sessions')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('token_hash', 'text', (c) => c.notNull().unique())
    .addColumn('org_id', 'text', (c) => c.notNull().references('orgs.id'))
    .addColumn('user_id', 'text', (c) => c.notNull().references('users.id'))
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('last_access_at', 'bigint', (c) => c.notNull())
    .addColumn('expires_at', 'bigint', (c) => c.notNull())
    .addColumn('public_ip', 'text', (c) => c.notNull())
    .addColumn('city', 'text')
    .addColumn('region', 'text')
    .addColumn('country_code', 'text')
    .addColumn('country', 'text')
    .addColumn('latitude', 'double precision')
    .addColumn('longitude', 'double precision')
    .addColumn('device_type', 'text', (c) => c.notNull())
    .addColumn('os', 'text', (c) => c.notNull())
    .addColumn('browser', 'text', (c) => c.notNull())
    .addColumn('user_agent', 'text', (c) => c.notNull())
    .addColumn('revoked_at', 'bigint')
    .addColumn('revoked_by', 'text')
    .addColumn('revoked_reason', 'text')
    .execute();
  // The lists only ever read live sessions; revoked rows stay for the audit trail but out of the index.
  await db.schema
    .createIndex('sessions_live_org_idx')
    .on('sessions')
    .columns(['org_id', 'last_access_at'])
    .where(sql.ref('revoked_at'), 'is', null)
    .execute();
  await db.schema
    .createIndex('sessions_live_user_idx')
    .on('sessions')
    .columns(['user_id', 'last_access_at'])
    .where(sql.ref('revoked_at'), 'is', null)
    .execute();

  await db.schema
    .createTable('login_failures')
    .addColumn('id', idColumnType(db), autoIncrementKey(db))
    .addColumn('ip', 'text', (c) => c.notNull())
    .addColumn('username', 'text', (c) => c.notNull())
    .addColumn('at', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('login_failures_ip_idx').on('login_failures').columns(['ip', 'at']).execute();
  await db.schema
    .createIndex('login_failures_username_idx')
    .on('login_failures')
    .columns(['username', 'at'])
    .execute();

  await db.schema
    .createTable('activities')
    .addColumn('id', idColumnType(db), autoIncrementKey(db))
    .addColumn('org_id', 'text', (c) => c.notNull().references('orgs.id'))
    .addColumn('seq', 'bigint', (c) => c.notNull())
    .addColumn('occurred_at', 'bigint', (c) => c.notNull())
    .addColumn('recorded_at', 'bigint', (c) => c.notNull())
    .addColumn('user_id', 'text')
    .addColumn('username', 'text', (c) => c.notNull())
    .addColumn('activity', 'text', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('target', 'text')
    .addColumn('details', 'text')
    .addColumn('public_ip', 'text')
    .addColumn('session_id', 'text')
    .addColumn('idempotency_key', 'text')
    .addColumn('prev_hash', 'text', (c) => c.notNull())
    .addColumn('hash', 'text', (c) => c.notNull())
    .addUniqueConstraint('activities_org_seq_key', ['org_id', 'seq'])
    .execute();
  // Every search filters by org and ranges over time; id breaks ties so keyset paging is stable.
  await db.schema
    .createIndex('activities_org_time_idx')
    .on('activities')
    .columns(['org_id', 'occurred_at', 'id'])
    .execute();
  await db.schema
    .createIndex('activities_org_user_time_idx')
    .on('activities')
    .columns(['org_id', 'user_id', 'occurred_at', 'id'])
    .execute();
  await db.schema
    .createIndex('activities_org_activity_time_idx')
    .on('activities')
    .columns(['org_id', 'activity', 'occurred_at', 'id'])
    .execute();
  await db.schema
    .createIndex('activities_idempotency_idx')
    .on('activities')
    .columns(['org_id', 'idempotency_key'])
    .unique()
    .where(sql.ref('idempotency_key'), 'is not', null)
    .execute();

  await db.schema
    .createTable('activity_chain_heads')
    .addColumn('org_id', 'text', (c) => c.primaryKey().references('orgs.id'))
    .addColumn('seq', 'bigint', (c) => c.notNull())
    .addColumn('hash', 'text', (c) => c.notNull())
    .execute();

  if (isPostgres(db)) {
    // The application only appends; make the database refuse anything else from it as well.
    await sql`create function activities_append_only() returns trigger language plpgsql as $$
      begin
        if current_setting('vault.allow_purge', true) = 'on' and tg_op = 'DELETE' then return old; end if;
        raise exception 'activities are append-only';
      end $$`.execute(db);
    await sql`create trigger activities_append_only before update or delete on activities
      for each row execute function activities_append_only()`.execute(db);
  } else {
    await sql`create trigger activities_no_update before update on activities
      begin select raise(abort, 'activities are append-only'); end`.execute(db);
  }
}

// biome-ignore lint/suspicious/noExplicitAny: see above
export async function down(db: Kysely<any>): Promise<void> {
  for (const table of ['activity_chain_heads', 'activities', 'login_failures', 'sessions', 'users', 'orgs']) {
    await db.schema.dropTable(table).ifExists().execute();
  }
}
