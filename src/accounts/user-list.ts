import type { Kysely } from 'kysely';
import { type ListUsersParams, USER_TOTAL_CAP, type UserPage } from '../contracts/accounts.js';
import type { Schema } from '../db/schema.js';
import { type Actor, isAdmin } from '../kernel/actor.js';
import { decodeKeysetCursor, encodeKeysetCursor } from '../kernel/keyset-cursor.js';
import { normalizeUsername } from '../kernel/username.js';
import { findUserInOrg } from './accounts.repository.js';
import type { UserRow } from './accounts.table.js';
import type { Credentials } from './credentials.js';
import { toUser } from './user.js';
import { countMatchingUsers, listUserPage, type UserPageQuery } from './user-page.repository.js';
import type { UserSessionFigures } from './user-session-figures.js';

export interface UserListDeps {
  db: Kysely<Schema>;
  credentials: Credentials;
  figures: UserSessionFigures;
}

/** Marks a cursor as this list's, so a session list's cannot be replayed here. */
const CURSOR_TAG = { l: 'users' };

/** What can begin a username: a `q` with anything else matches nobody, without asking. */
const USERNAME_PREFIX = /^[a-z0-9][a-z0-9._@+-]*$/;

/**
 * A page of the list of users, by username, with their live sessions, last activity and lockout:
 * an admin's of the org, a user's of themselves. Five queries for a page however many users the
 * org has, and the figures only for the page's users.
 */
export function createUserList(deps: UserListDeps) {
  const { db, credentials, figures } = deps;

  /** The page's rows and the count of all matching, for an admin (the org) or a user (themselves). */
  async function pageRows(actor: Actor, q: UserPageQuery, limit: number): Promise<[UserRow[], number]> {
    if (q.prefix !== undefined && !USERNAME_PREFIX.test(q.prefix)) return [[], 0];
    if (isAdmin(actor)) {
      const { after: _, ...counted } = q;
      return Promise.all([listUserPage(db, q, limit), countMatchingUsers(db, counted, USER_TOTAL_CAP)]);
    }
    const self = await findUserInOrg(db, actor.orgId, actor.userId ?? '');
    const matches = self && (!q.prefix || self.username.startsWith(q.prefix)) ? [self] : [];
    return [matches.filter((row) => q.after === undefined || row.username > q.after), matches.length];
  }

  return async function listUsers(actor: Actor, params: ListUsersParams): Promise<UserPage> {
    const { limit } = params;
    const prefix = params.q === undefined ? '' : normalizeUsername(params.q);
    const after =
      params.cursor === undefined
        ? undefined
        : String(
            decodeKeysetCursor(
              params.cursor,
              CURSOR_TAG,
              ['string'],
              'cursor is not a nextCursor of this list',
            )[0],
          );
    const [rows, total] = await pageRows(
      actor,
      { orgId: actor.orgId, prefix: prefix || undefined, after },
      limit,
    );
    const page = rows.slice(0, limit);
    const scope = { orgId: actor.orgId, userIds: page.map((row) => row.id) };
    const [live, lastActivity, lockedOut] = await Promise.all([
      figures.liveSessionCounts(scope),
      figures.lastActivityTimes(scope),
      credentials.lockedOutUsernames(actor.orgId),
    ]);
    const last = page.at(-1);
    return {
      users: page.map((row) => {
        const at = lastActivity.get(row.id);
        return {
          ...toUser(row),
          liveSessions: live.get(row.id) ?? 0,
          lastActivityAt: at === undefined ? null : new Date(at).toISOString(),
          lockedOut: lockedOut.has(row.username),
        };
      }),
      nextCursor: rows.length > limit && last ? encodeKeysetCursor(CURSOR_TAG, [last.username]) : null,
      total: Math.min(total, USER_TOTAL_CAP),
      totalCapped: total > USER_TOTAL_CAP,
    };
  };
}
