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
import type { FigureScope, UserSessionFigures } from './user-session-figures.js';

export interface UserListDeps {
  db: Kysely<Schema>;
  credentials: Credentials;
  figures: UserSessionFigures;
}

/** Marks a cursor as this list's, so a session list's cannot be replayed here. */
const CURSOR_TAG = { l: 'users' };

/** What can begin a username: a `q` with anything else matches nobody, without asking. */
const USERNAME_PREFIX = /^[a-z0-9][a-z0-9._@+-]*$/;

/** Users whose figures one query asks for: well inside either engine's limit on bound values. */
const FIGURES_CHUNK = 1_000;

/** A figure of each of the rows' users, asked FIGURES_CHUNK users at a time (a whole org without `limit`). */
async function figuresInChunks(
  orgId: string,
  rows: readonly UserRow[],
  figure: (scope: FigureScope) => Promise<Map<string, number>>,
): Promise<Map<string, number>> {
  const all = new Map<string, number>();
  for (let at = 0; at < rows.length; at += FIGURES_CHUNK) {
    const userIds = rows.slice(at, at + FIGURES_CHUNK).map((row) => row.id);
    for (const [id, value] of await figure({ orgId, userIds })) all.set(id, value);
  }
  return all;
}

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
    // Without `limit`, everyone: clients of the list from before it had pages read `users` only.
    const limit = params.limit ?? Number.MAX_SAFE_INTEGER;
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
    const [live, lastActivity, lockedOut] = await Promise.all([
      figuresInChunks(actor.orgId, page, figures.liveSessionCounts),
      figuresInChunks(actor.orgId, page, figures.lastActivityTimes),
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
