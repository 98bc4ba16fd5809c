import { type Kysely, sql } from 'kysely';
import { isPostgres } from '../db/dialect.js';
import type { Schema } from '../db/schema.js';
import type { Role } from '../kernel/actor.js';

type Db = Kysely<Schema>;

/**
 * Serialises, until the transaction ends, every change that could take away an org's last active
 * admin. PostgreSQL: a transaction-scoped advisory lock per org (row locks on the admins would
 * not cover an admin promoted meanwhile). SQLite needs none: its writers take turns, and the
 * change, written before the count, holds the write lock.
 */
export async function lockOrgAdmins(trx: Db, orgId: string): Promise<void> {
  if (!isPostgres(trx)) return;
  await sql`select pg_advisory_xact_lock(hashtextextended(${`org-admins:${orgId}`}, 0))`.execute(trx);
}

/** Admins of the org who are not disabled, as the transaction sees them. */
export async function countActiveAdmins(trx: Db, orgId: string): Promise<number> {
  const row = await trx
    .selectFrom('users')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where('orgId', '=', orgId)
    .where('role', '=', 'admin')
    .where('disabledAt', 'is', null)
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

/** Disables a user who is not yet disabled; answers their role, or undefined when nothing changed. */
export async function disableUser(db: Db, userId: string, at: number): Promise<Role | undefined> {
  const row = await db
    .updateTable('users')
    .set({ disabledAt: at })
    .where('id', '=', userId)
    .where('disabledAt', 'is', null)
    .returning('role')
    .executeTakeFirst();
  return row?.role;
}

/**
 * Gives a user a role; answers whether they were an active admin who is one no more (a demotion
 * that counts against the org's admins).
 */
export async function setUserRole(
  db: Db,
  userId: string,
  role: Role,
): Promise<{ demotedActiveAdmin: boolean }> {
  const row = await db
    .updateTable('users')
    .set({ role })
    .where('id', '=', userId)
    .where('role', '!=', role)
    .returning('disabledAt')
    .executeTakeFirst();
  return { demotedActiveAdmin: row !== undefined && role !== 'admin' && row.disabledAt === null };
}
