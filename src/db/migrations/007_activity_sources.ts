import type { Kysely } from 'kysely';

/**
 * `activities.source`: who wrote an ingested event (an API key, or an admin through the API);
 * null for what the product records itself. The chain's hash covers it only when it is set, so
 * every row stored before keeps its hash.
 */
// biome-ignore lint/suspicious/noExplicitAny: migrations stay frozen in time (see 001)
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('activities').addColumn('source', 'text').execute();
}

// biome-ignore lint/suspicious/noExplicitAny: see above
export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('activities').dropColumn('source').execute();
}
