import { type Kysely, type SqlBool, sql } from 'kysely';
import type { LoginMethod, RevokedReason } from '../contracts/sessions.js';
import type { DatabaseEngine } from '../db/database.js';
import type { Schema } from '../db/schema.js';
import type { Role } from '../kernel/actor.js';
import type { NewSessionRow, SessionRow } from './session.table.js';
import { noPendingEnding } from './session-endings.repository.js';

type Db = Kysely<Schema>;

/**
 * What the per-request check reads: the session as the list shows it, its user and its org's
 * idle and lifetime limits (null: the configuration's) and an ending not yet written into the row
 * (session-endings.repository.ts), in one indexed lookup (not the token hash,
 * user agent or who revoked it: nothing on the hot path uses them).
 */
export type SessionLookupRow = Omit<
  SessionRow,
  'tokenHash' | 'userAgent' | 'revokedBy' | 'clientHints' | 'osName' | 'browserName' | 'search'
> & {
  role: Role;
  disabledAt: number | null;
  userCreatedAt: number;
  policyIdleMs: number | null;
  policyMaxMs: number | null;
};

export type SessionListRow = SessionRow;

export function insertSession(db: Db, row: NewSessionRow): Promise<unknown> {
  return db.insertInto('sessions').values(row).execute();
}

/**
 * The per-request lookup by token hash: plain SQL, bypassing Kysely on the hottest path. The org's
 * policy comes in the same query (a primary-key left join), never from a cache of this instance:
 * a change on any instance is in force at the next request.
 */
export function prepareSessionLookup(
  database: DatabaseEngine,
): (tokenHash: string) => Promise<SessionLookupRow | undefined> {
  return database.keyedLookup({
    name: 'vault_session_lookup',
    columns: `s.id, s.org_id, s.user_id, s.created_at, s.last_access_at, s.last_used_on, s.expires_at,
       s.public_ip, s.city, s.region, s.country_code, s.country, s.latitude, s.longitude,
       s.device_type, s.os, s.browser, coalesce(s.revoked_at, pe.ended_at), coalesce(s.revoked_reason, pe.reason),
       s.username, u.role, u.disabled_at, u.created_at, s.flags, s.travel, p.idle_ms, p.max_ms,
       s.login_method, s.mfa, s.identity_provider`,
    from: `sessions s join users u on u.id = s.user_id left join org_policies p on p.org_id = s.org_id
       left join session_endings pe on pe.session_id = s.id`,
    key: 's.token_hash',
    toRow: (v): SessionLookupRow => ({
      id: v[0] as string,
      orgId: v[1] as string,
      userId: v[2] as string,
      createdAt: v[3] as number,
      lastAccessAt: v[4] as number,
      lastUsedOn: v[5] as string | null,
      expiresAt: v[6] as number,
      publicIp: v[7] as string,
      city: v[8] as string | null,
      region: v[9] as string | null,
      countryCode: v[10] as string | null,
      country: v[11] as string | null,
      latitude: v[12] as number | null,
      longitude: v[13] as number | null,
      deviceType: v[14] as string,
      os: v[15] as string,
      browser: v[16] as string,
      revokedAt: v[17] as number | null,
      revokedReason: v[18] as RevokedReason | null,
      username: v[19] as string,
      role: v[20] as Role,
      disabledAt: v[21] as number | null,
      userCreatedAt: v[22] as number,
      flags: v[23] as string,
      travel: v[24] as string | null,
      policyIdleMs: v[25] === null ? null : Number(v[25]),
      policyMaxMs: v[26] === null ? null : Number(v[26]),
      loginMethod: v[27] as LoginMethod,
      mfa: Number(v[28]),
      identityProvider: v[29] as string | null,
    }),
  });
}

export interface LiveSessionFilter {
  orgId: string;
  /** Only this user's sessions (a non-admin's view, or an admin's user filter). */
  userId?: string | undefined;
  /** Only these sessions. */
  ids?: readonly string[];
  now: number;
  idleMs: number;
  /** The org's lifetime in force: a session that began longer ago is over, whatever its stored end. */
  maxMs: number;
}

/** Unrevoked, unexpired sessions of one org, newest access first. */
export function listLiveSessions(db: Db, filter: LiveSessionFilter): Promise<SessionListRow[]> {
  let query = db
    .selectFrom('sessions as s')
    .selectAll('s')
    .where('s.orgId', '=', filter.orgId)
    .where('s.revokedAt', 'is', null)
    .where('s.expiresAt', '>', filter.now)
    .where('s.createdAt', '>', filter.now - filter.maxMs)
    .where('s.lastAccessAt', '>', filter.now - filter.idleMs)
    .where(noPendingEnding(db, 's.id'));
  if (filter.userId !== undefined) query = query.where('s.userId', '=', filter.userId);
  if (filter.ids !== undefined) query = query.where('s.id', 'in', filter.ids);
  return query.orderBy('s.lastAccessAt', 'desc').orderBy('s.id').execute();
}

/** A session's latest request: when, and through which protected app (null: the console). */
export interface Access {
  at: number;
  usedOn: string | null;
}

/** Moves last access forward only (several instances may flush out of order). */
export async function updateLastAccess(db: Db, touches: ReadonlyMap<string, Access>): Promise<void> {
  if (touches.size === 0) return;
  await db.transaction().execute(async (trx) => {
    // In id order, as every writer of ended sessions locks them: any other order can deadlock with them.
    for (const [id, { at, usedOn }] of [...touches].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
      await trx
        .updateTable('sessions')
        .set({ lastAccessAt: at, lastUsedOn: usedOn })
        .where('id', '=', id)
        .where('lastAccessAt', '<', at)
        .execute();
    }
  });
}

/** The latest session start of each user of an org (or of one user), by user id. */
export async function lastLoginsInOrg(
  db: Db,
  orgId: string,
  userId: string | undefined,
): Promise<Map<string, number>> {
  let query = db
    .selectFrom('sessions')
    .select((eb) => ['userId', eb.fn.max<number>('createdAt').as('lastLoginAt')])
    .where('orgId', '=', orgId)
    .groupBy('userId');
  if (userId !== undefined) query = query.where('userId', '=', userId);
  const rows = await query.execute();
  return new Map(rows.map((r) => [r.userId, Number(r.lastLoginAt)]));
}

/** One session of an org, live or ended, with the name of whoever ended it (a session's page). */
export async function findSession(
  db: Db,
  filter: { orgId: string; id: string; userId?: string | undefined },
): Promise<(SessionRow & { endedByName: string | null }) | undefined> {
  let query = db
    .selectFrom('sessions as s')
    .leftJoin('sessionEndings as pe', 'pe.sessionId', 's.id')
    .leftJoin('users as ender', (join) =>
      join.on(sql<SqlBool>`ender.id = coalesce(s.revoked_by, pe.ended_by)`),
    )
    .selectAll('s')
    .select(['ender.username as endedByName', 'pe.endedAt', 'pe.endedBy', 'pe.reason'])
    .where('s.id', '=', filter.id)
    .where('s.orgId', '=', filter.orgId);
  if (filter.userId !== undefined) query = query.where('s.userId', '=', filter.userId);
  const found = await query.executeTakeFirst();
  if (!found) return undefined;
  const { endedAt, endedBy, reason, ...row } = found;
  if (endedAt === null || row.revokedAt !== null) return row;
  return { ...row, revokedAt: Number(endedAt), revokedBy: endedBy, revokedReason: reason };
}
