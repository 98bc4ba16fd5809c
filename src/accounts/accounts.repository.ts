import type { Kysely } from 'kysely';
import type { Schema } from '../db/schema.js';
import type { NewUserRow, OrgRow, UserRow } from './accounts.table.js';

type Db = Kysely<Schema>;

export function insertOrg(db: Db, org: OrgRow): Promise<unknown> {
  return db.insertInto('orgs').values(org).execute();
}

export function findOrgById(db: Db, id: string): Promise<OrgRow | undefined> {
  return db.selectFrom('orgs').selectAll().where('id', '=', id).executeTakeFirst();
}

export function listOrgs(db: Db): Promise<OrgRow[]> {
  return db.selectFrom('orgs').selectAll().orderBy('name').execute();
}

export function findOrgByName(db: Db, name: string): Promise<OrgRow | undefined> {
  return db.selectFrom('orgs').selectAll().where('name', '=', name).executeTakeFirst();
}

export function insertUser(db: Db, user: NewUserRow): Promise<unknown> {
  return db.insertInto('users').values(user).execute();
}

export function findUserByUsername(db: Db, username: string): Promise<UserRow | undefined> {
  return db.selectFrom('users').selectAll().where('username', '=', username).executeTakeFirst();
}

/** Scoped by org: a user of another org is simply not found. */
export function findUserInOrg(db: Db, orgId: string, userId: string): Promise<UserRow | undefined> {
  return db
    .selectFrom('users')
    .selectAll()
    .where('orgId', '=', orgId)
    .where('id', '=', userId)
    .executeTakeFirst();
}

/** The ids of the org's users among `usernames` (canonical), by username. */
export async function userIdsByUsername(db: Db, orgId: string, usernames: readonly string[]) {
  const unique = [...new Set(usernames)];
  if (unique.length === 0) return new Map<string, string>();
  const rows = await db
    .selectFrom('users')
    .select(['id', 'username'])
    .where('orgId', '=', orgId)
    .where('username', 'in', unique)
    .execute();
  return new Map(rows.map((r) => [r.username, r.id]));
}

export function listUsersInOrg(db: Db, orgId: string): Promise<UserRow[]> {
  return db.selectFrom('users').selectAll().where('orgId', '=', orgId).orderBy('username').execute();
}

export async function countUsers(db: Db): Promise<number> {
  const row = await db
    .selectFrom('users')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

export function updatePasswordHash(
  db: Db,
  userId: string,
  passwordHash: string,
  at: number,
): Promise<unknown> {
  return db
    .updateTable('users')
    .set({ passwordHash, passwordChangedAt: at })
    .where('id', '=', userId)
    .execute();
}

export function setUserDisabled(db: Db, userId: string, disabledAt: number | null): Promise<unknown> {
  return db.updateTable('users').set({ disabledAt }).where('id', '=', userId).execute();
}

/** Every org with how many users it has, by name. */
export async function listOrgsWithUserCounts(db: Db): Promise<(OrgRow & { users: number })[]> {
  const rows = await db
    .selectFrom('orgs as o')
    .leftJoin('users as u', 'u.orgId', 'o.id')
    .select((eb) => ['o.id', 'o.name', 'o.createdAt', eb.fn.count<number>('u.id').as('users')])
    .groupBy(['o.id', 'o.name', 'o.createdAt'])
    .orderBy('o.name')
    .execute();
  return rows.map((r) => ({ ...r, users: Number(r.users) }));
}

/** Adds users in multi-row inserts, skipping any whose username is taken (in whichever org). */
export async function insertUsersSkippingTaken(db: Db, users: readonly NewUserRow[]): Promise<void> {
  // 8 columns a row: far below SQLite's 32,766 bound parameters and PostgreSQL's 65,535.
  for (let at = 0; at < users.length; at += 1_000) {
    await db
      .insertInto('users')
      .values(users.slice(at, at + 1_000))
      .onConflict((oc) => oc.column('username').doNothing())
      .execute();
  }
}

/** The org's users among `usernames`, with the fields a session row copies. */
export async function usersNamedInOrg(
  db: Db,
  orgId: string,
  usernames: readonly string[],
): Promise<Array<Pick<UserRow, 'id' | 'username' | 'createdAt'>>> {
  const found = [];
  for (let at = 0; at < usernames.length; at += 1_000) {
    found.push(
      ...(await db
        .selectFrom('users')
        .select(['id', 'username', 'createdAt'])
        .where('orgId', '=', orgId)
        .where('username', 'in', usernames.slice(at, at + 1_000))
        .execute()),
    );
  }
  return found;
}
