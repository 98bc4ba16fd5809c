import { randomBytes } from 'node:crypto';
import { type Kysely, sql } from 'kysely';
import { isPostgres } from '../dialect.js';

const GENESIS_HASH = '0'.repeat(64);

// biome-ignore lint/suspicious/noExplicitAny: migrations stay frozen in time (see 001)
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('api_keys')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('org_id', 'text', (c) => c.notNull().references('orgs.id'))
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('key_hash', 'text', (c) => c.notNull().unique())
    .addColumn('prefix', 'text', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('created_by', 'text')
    .addColumn('last_used_at', 'bigint')
    .addColumn('revoked_at', 'bigint')
    .execute();
  await db.schema.createIndex('api_keys_org_idx').on('api_keys').columns(['org_id', 'created_at']).execute();

  // Sorting by user or activity pages through these; time and id break ties for stable keysets.
  await db.schema
    .createIndex('activities_org_username_idx')
    .on('activities')
    .columns(['org_id', 'username', 'occurred_at', 'id'])
    .execute();

  // A user's runs of one activity ("every restore alice did this year") without walking all her rows.
  await db.schema
    .createIndex('activities_org_user_activity_time_idx')
    .on('activities')
    .columns(['org_id', 'user_id', 'activity', 'occurred_at', 'id'])
    .execute();

  // Where verification starts after retention removed the oldest rows: the last purged link.
  await db.schema
    .alterTable('activity_chain_heads')
    .addColumn('anchor_seq', 'bigint', (c) => c.notNull().defaultTo(0))
    .execute();
  await db.schema
    .alterTable('activity_chain_heads')
    .addColumn('anchor_hash', 'text', (c) => c.notNull().defaultTo(GENESIS_HASH))
    .execute();

  await db.schema
    .createTable('activity_names')
    .addColumn('org_id', 'text', (c) => c.notNull().references('orgs.id'))
    .addColumn('name', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('activity_names_pkey', ['org_id', 'name'])
    .execute();
  await db
    .insertInto('activity_names')
    .columns(['org_id', 'name'])
    .expression(db.selectFrom('activities').select(['org_id', 'activity']).distinct())
    .execute();

  if (!isPostgres(db)) {
    // SQLite has no session settings to gate deletes with (PostgreSQL's trigger reads
    // vault.allow_purge); retention instead holds a permit row for the length of its transaction.
    await db.schema
      .createTable('activity_purge_permits')
      .addColumn('id', 'integer', (c) => c.primaryKey())
      .execute();
    await sql`create trigger activities_no_delete before delete on activities
      when not exists (select 1 from activity_purge_permits)
      begin select raise(abort, 'activities are append-only'); end`.execute(db);
  }

  await db.schema
    .createTable('settings')
    .addColumn('key', 'text', (c) => c.primaryKey())
    .addColumn('value', 'text', (c) => c.notNull())
    .execute();
  // Signs paging cursors; generated once per database so every instance accepts the others' cursors.
  await db
    .insertInto('settings')
    .values({ key: 'cursor_secret', value: randomBytes(32).toString('hex') })
    .execute();
}

// biome-ignore lint/suspicious/noExplicitAny: see above
export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('settings').ifExists().execute();
  await db.schema.dropTable('activity_names').ifExists().execute();
  await db.schema.dropTable('api_keys').ifExists().execute();
  await db.schema.dropIndex('activities_org_username_idx').ifExists().execute();
  await db.schema.dropIndex('activities_org_user_activity_time_idx').ifExists().execute();
}
