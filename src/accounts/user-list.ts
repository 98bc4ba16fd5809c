import type { Kysely } from 'kysely';
import type { UserListItem } from '../contracts/accounts.js';
import type { Schema } from '../db/schema.js';
import { type Actor, isAdmin } from '../kernel/actor.js';
import { findUserInOrg, listUsersInOrg } from './accounts.repository.js';
import type { Credentials } from './credentials.js';
import { toUser } from './user.js';
import type { UserSessionFigures } from './user-session-figures.js';

export interface UserListDeps {
  db: Kysely<Schema>;
  credentials: Credentials;
  figures: UserSessionFigures;
}

/**
 * The list of users with their live sessions, last activity and lockout: an admin's of the whole
 * org, a user's of themselves. Four queries however many users (10,000 in an org is no reason
 * for 30,000 round trips).
 */
export function createUserList(deps: UserListDeps) {
  const { db, credentials, figures } = deps;

  return async function listUsers(actor: Actor): Promise<UserListItem[]> {
    const self = isAdmin(actor) ? undefined : (actor.userId ?? '');
    const scope = { orgId: actor.orgId, userId: self };
    const [rows, live, lastActivity, lockedOut] = await Promise.all([
      self === undefined
        ? listUsersInOrg(db, actor.orgId)
        : findUserInOrg(db, actor.orgId, self).then((row) => (row ? [row] : [])),
      figures.liveSessionCounts(scope),
      figures.lastActivityTimes(scope),
      credentials.lockedOutUsernames(actor.orgId),
    ]);
    return rows.map((row) => {
      const at = lastActivity.get(row.id);
      return {
        ...toUser(row),
        liveSessions: live.get(row.id) ?? 0,
        lastActivityAt: at === undefined ? null : new Date(at).toISOString(),
        lockedOut: lockedOut.has(row.username),
      };
    });
  };
}
