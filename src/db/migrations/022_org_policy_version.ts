import type { Kysely } from 'kysely';

/**
 * `org_policies.version`: how many changes the org's policy has had, for the policy form's
 * optimistic concurrency (a save names the version it was read at; another admin's save in
 * between makes it a 409). Existing rows start at 0, as an org without a row reads.
 */
// biome-ignore lint/suspicious/noExplicitAny: migrations stay frozen in time (see 001)
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .alterTable('org_policies')
    .addColumn('version', 'integer', (c) => c.notNull().defaultTo(0))
    .execute();
}

// biome-ignore lint/suspicious/noExplicitAny: see above
export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('org_policies').dropColumn('version').execute();
}
