import { type Kysely, sql } from 'kysely';
import { isPostgres } from '../dialect.js';

/**
 * The activity log's `q` also finds a public IP by its start (`81.2.`), as the session list's
 * does. On PostgreSQL a text search is served by the trigram index of migration 004 and this
 * pattern index together (a bitmap OR); without it, a `q` that could be an address would walk the
 * org's rows by time. SQLite's text search reads the period's rows either way: nothing to add.
 * Building it holds appends on a large table for a while, like 003 (README).
 */
// biome-ignore lint/suspicious/noExplicitAny: migrations stay frozen in time (see 001)
export async function up(db: Kysely<any>): Promise<void> {
  if (!isPostgres(db)) return;
  await sql`create index activities_org_ip_prefix_idx on activities (org_id, public_ip text_pattern_ops)
    where public_ip is not null`.execute(db);
}

// biome-ignore lint/suspicious/noExplicitAny: see above
export async function down(db: Kysely<any>): Promise<void> {
  if (!isPostgres(db)) return;
  await sql`drop index if exists activities_org_ip_prefix_idx`.execute(db);
}
