import type { Kysely } from 'kysely';
import { isPostgres } from '../../db/dialect.js';
import type { Schema } from '../../db/schema.js';
import type { SsoConfigRow, SsoLoginRow } from './sso.table.js';

type Db = Kysely<Schema>;

export function findSsoConfig(db: Db, orgId: string): Promise<SsoConfigRow | undefined> {
  return db.selectFrom('ssoConfigs').selectAll().where('orgId', '=', orgId).executeTakeFirst();
}

/** The org whose SSO an email domain belongs to. */
export async function orgOfDomain(db: Db, domain: string): Promise<string | undefined> {
  const row = await db
    .selectFrom('ssoDomains')
    .select('orgId')
    .where('domain', '=', domain)
    .executeTakeFirst();
  return row?.orgId;
}

/** Of `domains`, those another org's SSO holds. */
export async function domainsOfOtherOrgs(
  db: Db,
  orgId: string,
  domains: readonly string[],
): Promise<string[]> {
  if (domains.length === 0) return [];
  const rows = await db
    .selectFrom('ssoDomains')
    .select('domain')
    .where('domain', 'in', domains)
    .where('orgId', '<>', orgId)
    .execute();
  return rows.map((row) => row.domain);
}

/** Writes the org's config and its domains (in the caller's transaction). */
export async function saveSsoConfig(db: Db, row: SsoConfigRow, domains: readonly string[]): Promise<void> {
  const { orgId, ...values } = row;
  await db
    .insertInto('ssoConfigs')
    .values(row)
    .onConflict((oc) => oc.column('orgId').doUpdateSet(values))
    .execute();
  await db.deleteFrom('ssoDomains').where('orgId', '=', orgId).execute();
  // Another org's claim made meanwhile wins; the caller looks again and refuses (CONFLICT).
  await db
    .insertInto('ssoDomains')
    .values(domains.map((domain) => ({ domain, orgId })))
    .onConflict((oc) => oc.column('domain').doNothing())
    .execute();
}

/**
 * Holds the org's SSO changes one at a time until the transaction ends (PostgreSQL: the org's row;
 * SQLite has one writer), so two saves never interleave their domains.
 */
export async function lockOrgSso(db: Db, orgId: string): Promise<void> {
  if (!isPostgres(db)) return;
  await db.selectFrom('orgs').select('id').where('id', '=', orgId).forUpdate().execute();
}

/** Removes the org's config, its domains and its logins under way; answers whether there was one. */
export async function deleteSsoConfig(db: Db, orgId: string): Promise<boolean> {
  await db.deleteFrom('ssoDomains').where('orgId', '=', orgId).execute();
  await db.deleteFrom('ssoLogins').where('orgId', '=', orgId).execute();
  const result = await db.deleteFrom('ssoConfigs').where('orgId', '=', orgId).executeTakeFirst();
  return Number(result.numDeletedRows) > 0;
}

export async function insertSsoLogin(db: Db, row: SsoLoginRow): Promise<void> {
  await db.insertInto('ssoLogins').values(row).execute();
}

/** Logins nobody finished in time. */
export async function deleteExpiredSsoLogins(db: Db, now: number): Promise<void> {
  await db.deleteFrom('ssoLogins').where('expiresAt', '<', now).execute();
}

/**
 * Takes the login under way of this state, started by this browser: one DELETE … RETURNING, so
 * of callbacks racing with one state exactly one gets the row (single use on both engines).
 */
export function takeSsoLogin(
  db: Db,
  keys: { stateHash: string; browserHash: string },
): Promise<SsoLoginRow | undefined> {
  return db
    .deleteFrom('ssoLogins')
    .where('stateHash', '=', keys.stateHash)
    .where('browserHash', '=', keys.browserHash)
    .returningAll()
    .executeTakeFirst();
}

/** The user linked to the IdP's (issuer, subject), if any. */
export async function linkedUserId(db: Db, issuer: string, subject: string): Promise<string | undefined> {
  const row = await db
    .selectFrom('ssoIdentities')
    .select('userId')
    .where('issuer', '=', issuer)
    .where('subject', '=', subject)
    .executeTakeFirst();
  return row?.userId;
}

/** Whether the user is linked to another subject of this issuer already. */
export async function userLinkedAt(db: Db, userId: string, issuer: string): Promise<boolean> {
  const row = await db
    .selectFrom('ssoIdentities')
    .select('subject')
    .where('userId', '=', userId)
    .where('issuer', '=', issuer)
    .executeTakeFirst();
  return row !== undefined;
}

/** Links a user to the IdP's subject; a race with the same link is no error. */
export async function linkIdentity(
  db: Db,
  link: { issuer: string; subject: string; orgId: string; userId: string; createdAt: number },
): Promise<void> {
  await db
    .insertInto('ssoIdentities')
    .values(link)
    .onConflict((oc) => oc.columns(['issuer', 'subject']).doNothing())
    .execute();
}
