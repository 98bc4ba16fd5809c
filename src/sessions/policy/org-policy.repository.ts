import type { Kysely } from 'kysely';
import { isPostgres } from '../../db/dialect.js';
import type { Schema } from '../../db/schema.js';
import type { OrgPolicyRow } from './org-policy.table.js';

type Db = Kysely<Schema>;

/** The org's stored policy; undefined while it has none (the configuration's values, no limit). */
export function findOrgPolicy(db: Db, orgId: string): Promise<OrgPolicyRow | undefined> {
  return db.selectFrom('orgPolicies').selectAll().where('orgId', '=', orgId).executeTakeFirst();
}

/**
 * The org's policy, locked for a change until the transaction ends (PostgreSQL: the row, made
 * first if missing; SQLite has one writer at a time), so two admins' partial changes apply one
 * after the other and each activity's "before" is what the other left.
 */
export async function lockOrgPolicy(
  db: Db,
  orgId: string,
  blank: OrgPolicyRow,
): Promise<OrgPolicyRow | undefined> {
  if (!isPostgres(db)) return findOrgPolicy(db, orgId);
  await db
    .insertInto('orgPolicies')
    .values(blank)
    .onConflict((oc) => oc.column('orgId').doNothing())
    .execute();
  return db.selectFrom('orgPolicies').selectAll().where('orgId', '=', orgId).forUpdate().executeTakeFirst();
}

export async function saveOrgPolicy(db: Db, row: OrgPolicyRow): Promise<void> {
  const { orgId, ...values } = row;
  await db
    .insertInto('orgPolicies')
    .values(row)
    .onConflict((oc) => oc.column('orgId').doUpdateSet(values))
    .execute();
}
