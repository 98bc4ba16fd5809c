import type { Kysely } from 'kysely';
import type { Role } from '../accounts/accounts.table.js';
import type { Database } from '../db/database.js';
import type { Schema } from '../db/schema.js';
import type { NewSessionRow, RevokedReason, SessionRow } from './session.table.js';

type Db = Kysely<Schema>;

/** What the per-request check needs: the session and its user, in one indexed lookup. */
export type SessionLookupRow = SessionRow & {
  username: string;
  role: Role;
  disabledAt: number | null;
  userCreatedAt: number;
};

export type SessionListRow = SessionRow & { username: string };

export function insertSession(db: Db, row: NewSessionRow): Promise<unknown> {
  return db.insertInto('sessions').values(row).execute();
}

/**
 * The per-request lookup by token hash, prepared once. Plain SQL with camelCase aliases, because
 * it bypasses Kysely (and its CamelCasePlugin) on the hottest path; `$1` suits both engines.
 */
export function prepareSessionLookup(
  database: Database,
): (tokenHash: string) => Promise<SessionLookupRow | undefined> {
  return database.prepared<SessionLookupRow>(
    'vault_session_lookup',
    `select s.id as "id", s.token_hash as "tokenHash", s.org_id as "orgId", s.user_id as "userId",
       s.created_at as "createdAt", s.last_access_at as "lastAccessAt", s.expires_at as "expiresAt",
       s.public_ip as "publicIp", s.city as "city", s.region as "region", s.country_code as "countryCode",
       s.country as "country", s.latitude as "latitude", s.longitude as "longitude",
       s.device_type as "deviceType", s.os as "os", s.browser as "browser", s.user_agent as "userAgent",
       s.revoked_at as "revokedAt", s.revoked_by as "revokedBy", s.revoked_reason as "revokedReason",
       u.username as "username", u.role as "role", u.disabled_at as "disabledAt", u.created_at as "userCreatedAt"
     from sessions s join users u on u.id = s.user_id
     where s.token_hash = $1`,
  );
}

export interface LiveSessionFilter {
  orgId: string;
  /** Only this user's sessions (a non-admin's view, or an admin's user filter). */
  userId?: string | undefined;
  /** Only these sessions. */
  ids?: readonly string[];
  now: number;
  idleMs: number;
}

/** Unrevoked, unexpired sessions of one org, newest access first. */
export function listLiveSessions(db: Db, filter: LiveSessionFilter): Promise<SessionListRow[]> {
  let query = db
    .selectFrom('sessions as s')
    .innerJoin('users as u', 'u.id', 's.userId')
    .selectAll('s')
    .select('u.username')
    .where('s.orgId', '=', filter.orgId)
    .where('s.revokedAt', 'is', null)
    .where('s.expiresAt', '>', filter.now)
    .where('s.lastAccessAt', '>', filter.now - filter.idleMs);
  if (filter.userId !== undefined) query = query.where('s.userId', '=', filter.userId);
  if (filter.ids !== undefined) query = query.where('s.id', 'in', filter.ids);
  return query.orderBy('s.lastAccessAt', 'desc').orderBy('s.id').execute();
}

export interface Revocation {
  at: number;
  by: string | null;
  reason: RevokedReason;
}

/** Marks sessions revoked (never deletes: the trail keeps who, when, why); returns those it changed. */
export async function revokeSessions(
  db: Db,
  ids: readonly string[],
  revocation: Revocation,
): Promise<string[]> {
  if (ids.length === 0) return [];
  const rows = await db
    .updateTable('sessions')
    .set({ revokedAt: revocation.at, revokedBy: revocation.by, revokedReason: revocation.reason })
    .where('id', 'in', ids)
    .where('revokedAt', 'is', null)
    .returning('id')
    .execute();
  return rows.map((r) => r.id);
}

/** Moves last access forward only (several instances may flush out of order). */
export async function updateLastAccess(db: Db, touches: ReadonlyMap<string, number>): Promise<void> {
  if (touches.size === 0) return;
  await db.transaction().execute(async (trx) => {
    for (const [id, at] of touches) {
      await trx
        .updateTable('sessions')
        .set({ lastAccessAt: at })
        .where('id', '=', id)
        .where('lastAccessAt', '<', at)
        .execute();
    }
  });
}
