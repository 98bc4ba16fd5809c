import type { Kysely } from 'kysely';

/**
 * `activity_streams.sealed`: 1 once the row's `secret` and `token` are sealed with the secret box
 * (kernel/secret-box.ts). A migration has no key, so rows of before stay 0 and plaintext until the
 * first server start seals them (StreamService.sealStoredSecrets).
 */
// biome-ignore lint/suspicious/noExplicitAny: migrations stay frozen in time (see 001)
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .alterTable('activity_streams')
    .addColumn('sealed', 'integer', (c) => c.notNull().defaultTo(0))
    .execute();
}

// biome-ignore lint/suspicious/noExplicitAny: see above
export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('activity_streams').dropColumn('sealed').execute();
}
