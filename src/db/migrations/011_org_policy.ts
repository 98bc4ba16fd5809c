import type { Kysely } from 'kysely';

/**
 * An org's session policy, one row per org once an admin sets one (none: the configuration's
 * values everywhere). `idle_ms` / `max_ms` null mean the configuration's SESSION_IDLE_MINUTES /
 * SESSION_MAX_HOURS, so a changed configuration still reaches orgs that never chose their own.
 * Kept in milliseconds, as the sessions' times are, so the per-request check and the sweeper
 * compare without converting (bigint: a year in ms overflows PostgreSQL's integer).
 * `require_mfa` is 0/1, as SQLite has no boolean.
 */
// biome-ignore lint/suspicious/noExplicitAny: migrations stay frozen in time (see 001)
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('org_policies')
    .addColumn('org_id', 'text', (c) => c.primaryKey().references('orgs.id'))
    .addColumn('idle_ms', 'bigint')
    .addColumn('max_ms', 'bigint')
    .addColumn('max_sessions_per_user', 'integer')
    .addColumn('on_limit', 'text', (c) => c.notNull().defaultTo('end_oldest'))
    .addColumn('require_mfa', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .addColumn('updated_by', 'text')
    .execute();
}

// biome-ignore lint/suspicious/noExplicitAny: see above
export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('org_policies').execute();
}
