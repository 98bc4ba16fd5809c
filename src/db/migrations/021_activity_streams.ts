import type { Kysely } from 'kysely';

/**
 * `activity_streams`: an org's pushes of its activity log to a SIEM (decision 020). Delivery reads
 * the chain by seq from `delivered_seq`, so an ingest writes nothing for a stream. The lease
 * (`lease_owner` until `lease_until`) lets exactly one instance run a stream's delivery loop;
 * another takes it over when it lapses. `failing_since` is when the current run of failures
 * began: past 24 h of them the stream is `failed` until an admin resumes it.
 */
// biome-ignore lint/suspicious/noExplicitAny: migrations stay frozen in time (see 001)
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('activity_streams')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('org_id', 'text', (c) => c.notNull().references('orgs.id'))
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('url', 'text', (c) => c.notNull())
    .addColumn('format', 'text', (c) => c.notNull())
    .addColumn('secret', 'text', (c) => c.notNull())
    .addColumn('token', 'text')
    .addColumn('state', 'text', (c) => c.notNull().defaultTo('active'))
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('created_by', 'text')
    .addColumn('delivered_seq', 'bigint', (c) => c.notNull())
    .addColumn('last_error', 'text')
    .addColumn('last_error_at', 'bigint')
    .addColumn('last_success_at', 'bigint')
    .addColumn('failing_since', 'bigint')
    .addColumn('lease_owner', 'text')
    .addColumn('lease_until', 'bigint', (c) => c.notNull().defaultTo(0))
    .execute();
  await db.schema
    .createIndex('activity_streams_org_idx')
    .on('activity_streams')
    .columns(['org_id'])
    .execute();
}

// biome-ignore lint/suspicious/noExplicitAny: see above
export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('activity_streams').execute();
}
