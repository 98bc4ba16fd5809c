import type { Kysely } from 'kysely';

/**
 * `sessions.last_used_on`: the host of the protected app a session's latest request came through
 * (forward auth), or null when it was the console itself, for Session Information's "last used on".
 */
// biome-ignore lint/suspicious/noExplicitAny: migrations stay frozen in time (see 001)
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('sessions').addColumn('last_used_on', 'text').execute();
}

// biome-ignore lint/suspicious/noExplicitAny: see above
export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('sessions').dropColumn('last_used_on').execute();
}
