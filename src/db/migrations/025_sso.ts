import type { Kysely } from 'kysely';

/**
 * Per-org SSO through OpenID Connect (decision 021).
 * - `sso_configs`: one provider per org; `client_secret` sealed by the secret box (context
 *   `sso:<orgId>`), never the plaintext; `email_domains` a JSON array; the flags 0/1.
 * - `sso_domains`: which org an email domain signs in through; the primary key makes a domain
 *   belong to one org only, so `start?email=` is never ambiguous.
 * - `sso_identities`: the IdP's (issuer, subject) linked to a user at the first SSO login; later
 *   logins match by it, not by the email, which a user may change at the IdP.
 * - `sso_logins`: the logins under way, keyed by SHA-256 of their `state`, bound to the starting
 *   browser (SHA-256 of its cookie), consumed by one DELETE … RETURNING (single use).
 */
// biome-ignore lint/suspicious/noExplicitAny: migrations stay frozen in time (see 001)
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('sso_configs')
    .addColumn('org_id', 'text', (c) => c.primaryKey().references('orgs.id'))
    .addColumn('issuer', 'text', (c) => c.notNull())
    .addColumn('client_id', 'text', (c) => c.notNull())
    .addColumn('client_secret', 'text', (c) => c.notNull())
    .addColumn('email_domains', 'text', (c) => c.notNull())
    .addColumn('auto_create_users', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('enforced', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('allow_admin_password_login', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .addColumn('updated_by', 'text')
    .execute();
  await db.schema
    .createTable('sso_domains')
    .addColumn('domain', 'text', (c) => c.primaryKey())
    .addColumn('org_id', 'text', (c) => c.notNull().references('orgs.id'))
    .execute();
  await db.schema.createIndex('sso_domains_org_idx').on('sso_domains').columns(['org_id']).execute();
  await db.schema
    .createTable('sso_identities')
    .addColumn('issuer', 'text', (c) => c.notNull())
    .addColumn('subject', 'text', (c) => c.notNull())
    .addColumn('org_id', 'text', (c) => c.notNull().references('orgs.id'))
    .addColumn('user_id', 'text', (c) => c.notNull().references('users.id'))
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addPrimaryKeyConstraint('sso_identities_pk', ['issuer', 'subject'])
    .execute();
  await db.schema
    .createIndex('sso_identities_user_idx')
    .on('sso_identities')
    .columns(['user_id', 'issuer'])
    .unique()
    .execute();
  await db.schema
    .createTable('sso_logins')
    .addColumn('state_hash', 'text', (c) => c.primaryKey())
    .addColumn('browser_hash', 'text', (c) => c.notNull())
    .addColumn('org_id', 'text', (c) => c.notNull().references('orgs.id'))
    .addColumn('issuer', 'text', (c) => c.notNull())
    .addColumn('nonce', 'text', (c) => c.notNull())
    .addColumn('code_verifier', 'text', (c) => c.notNull())
    .addColumn('login_hint', 'text')
    .addColumn('return_to', 'text')
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('expires_at', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('sso_logins_expiry_idx').on('sso_logins').columns(['expires_at']).execute();
}

// biome-ignore lint/suspicious/noExplicitAny: see above
export async function down(db: Kysely<any>): Promise<void> {
  for (const table of ['sso_logins', 'sso_identities', 'sso_domains', 'sso_configs']) {
    await db.schema.dropTable(table).execute();
  }
}
