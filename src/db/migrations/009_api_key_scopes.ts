import type { Kysely } from 'kysely';

/**
 * `api_keys.scopes`: what a key may do, space-separated (as OAuth writes scopes). Every key made
 * before had one power, ingest, so existing rows get `activities:write`; the default also keeps
 * an instance of the version before this one, during a rolling upgrade, creating keys that ingest.
 */
// biome-ignore lint/suspicious/noExplicitAny: migrations stay frozen in time (see 001)
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .alterTable('api_keys')
    .addColumn('scopes', 'text', (c) => c.notNull().defaultTo('activities:write'))
    .execute();
}

// biome-ignore lint/suspicious/noExplicitAny: see above
export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('api_keys').dropColumn('scopes').execute();
}
