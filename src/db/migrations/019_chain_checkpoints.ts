import { type Kysely, sql } from 'kysely';
import { isPostgres } from '../dialect.js';

/**
 * `activity_chain_checkpoints`: the org's chain head, signed with a key kept outside the database
 * (decision 019). One per (org, seq): a head already signed is not signed again, by any instance.
 * Append-only like the chain itself; the signature is what makes an edit show, the triggers only
 * keep the application honest.
 *
 * `activity_export_manifests`: the signed manifest of an HTTP export with `?manifest=1`, fetched
 * after the download by the id its response named (any instance can answer it). Signed, so
 * storing it here vouches for nothing by itself.
 */
// biome-ignore lint/suspicious/noExplicitAny: migrations stay frozen in time (see 001)
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('activity_chain_checkpoints')
    .addColumn('org_id', 'text', (c) => c.notNull().references('orgs.id'))
    .addColumn('seq', 'bigint', (c) => c.notNull())
    .addColumn('head_hash', 'text', (c) => c.notNull())
    .addColumn('signed_at', 'bigint', (c) => c.notNull())
    .addColumn('key_id', 'text', (c) => c.notNull())
    .addColumn('signature', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('activity_chain_checkpoints_pkey', ['org_id', 'seq'])
    .execute();
  await db.schema
    .createTable('activity_export_manifests')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('org_id', 'text', (c) => c.notNull().references('orgs.id'))
    .addColumn('user_id', 'text')
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('manifest', 'text', (c) => c.notNull())
    .execute();
  if (isPostgres(db)) {
    await sql`create trigger activity_chain_checkpoints_append_only before update or delete
      on activity_chain_checkpoints for each row execute function activities_append_only()`.execute(db);
    return;
  }
  await sql`create trigger activity_chain_checkpoints_no_update before update on activity_chain_checkpoints
    begin select raise(abort, 'checkpoints are append-only'); end`.execute(db);
  await sql`create trigger activity_chain_checkpoints_no_delete before delete on activity_chain_checkpoints
    when not exists (select 1 from activity_purge_permits)
    begin select raise(abort, 'checkpoints are append-only'); end`.execute(db);
}

// biome-ignore lint/suspicious/noExplicitAny: see above
export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('activity_export_manifests').execute();
  await db.schema.dropTable('activity_chain_checkpoints').execute();
}
