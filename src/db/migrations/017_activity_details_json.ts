import type { Kysely } from 'kysely';

/**
 * `activities.details_json`: an object's details as canonical JSON (decision 018); null for a
 * string or no details, so every row stored before keeps its meaning and its hash. `details`
 * then holds the object's string values, which the trigram index of migration 004 already
 * covers: nothing is re-indexed.
 */
// biome-ignore lint/suspicious/noExplicitAny: migrations stay frozen in time (see 001)
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('activities').addColumn('details_json', 'text').execute();
}

// biome-ignore lint/suspicious/noExplicitAny: see above
export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('activities').dropColumn('details_json').execute();
}
