import type { Kysely } from 'kysely';

/**
 * The second factor (PRODUCT.md, "Sign in like an enterprise"):
 * - `totp_factors`: a user's TOTP secret, sealed by the secret box; `confirmed_at` null while an
 *   enrolment waits for its first code; `last_step` the newest 30 s step accepted, so a code (and
 *   any older one) is never accepted twice.
 * - `recovery_codes`: ten per confirmed factor, each SHA-256 of a random code, `used_at` once used.
 * - `mfa_tokens`: the short-lived token a password login answers with while its second factor (or
 *   an enrolment) is outstanding; only its SHA-256 is stored; `used_at` once it finished a login.
 */
// biome-ignore lint/suspicious/noExplicitAny: migrations stay frozen in time (see 001)
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('totp_factors')
    .addColumn('user_id', 'text', (c) => c.primaryKey().references('users.id'))
    .addColumn('org_id', 'text', (c) => c.notNull().references('orgs.id'))
    .addColumn('secret', 'text', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('confirmed_at', 'bigint')
    .addColumn('last_step', 'bigint')
    .execute();
  await db.schema
    .createTable('recovery_codes')
    .addColumn('user_id', 'text', (c) => c.notNull().references('users.id'))
    .addColumn('code_hash', 'text', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('used_at', 'bigint')
    .addPrimaryKeyConstraint('recovery_codes_pk', ['user_id', 'code_hash'])
    .execute();
  await db.schema
    .createTable('mfa_tokens')
    .addColumn('token_hash', 'text', (c) => c.primaryKey())
    .addColumn('user_id', 'text', (c) => c.notNull().references('users.id'))
    .addColumn('org_id', 'text', (c) => c.notNull().references('orgs.id'))
    .addColumn('purpose', 'text', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('expires_at', 'bigint', (c) => c.notNull())
    .addColumn('used_at', 'bigint')
    .execute();
  await db.schema.createIndex('mfa_tokens_expires_idx').on('mfa_tokens').columns(['expires_at']).execute();
}

// biome-ignore lint/suspicious/noExplicitAny: see above
export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('mfa_tokens').execute();
  await db.schema.dropTable('recovery_codes').execute();
  await db.schema.dropTable('totp_factors').execute();
}
