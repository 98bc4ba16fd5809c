import type { Kysely } from 'kysely';

/**
 * How each session signed in (PRODUCT.md, "Sign in like an enterprise"): `login_method`
 * (`password` | `sso`), `mfa` (0/1: a second factor was checked), `identity_provider` (the SSO
 * issuer). Sessions opened before this migration were password logins without a second factor.
 */
// biome-ignore lint/suspicious/noExplicitAny: migrations stay frozen in time (see 001)
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .alterTable('sessions')
    .addColumn('login_method', 'text', (c) => c.notNull().defaultTo('password'))
    .execute();
  await db.schema
    .alterTable('sessions')
    .addColumn('mfa', 'integer', (c) => c.notNull().defaultTo(0))
    .execute();
  await db.schema.alterTable('sessions').addColumn('identity_provider', 'text').execute();
}

// biome-ignore lint/suspicious/noExplicitAny: see above
export async function down(db: Kysely<any>): Promise<void> {
  for (const column of ['identity_provider', 'mfa', 'login_method']) {
    await db.schema.alterTable('sessions').dropColumn(column).execute();
  }
}
