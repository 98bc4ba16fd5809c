import { randomBytes } from 'node:crypto';
import type { Kysely } from 'kysely';
import { ACTIVITY } from '../activity/activity-names.js';
import type { Schema } from '../db/schema.js';
import type { Clock } from '../kernel/clock.js';
import { AppError } from '../kernel/errors.js';
import { canonicalUsername, normalizeUsername } from '../kernel/username.js';
import { findUserByUsername, findUserInOrg } from './accounts.repository.js';
import type { UserRow } from './accounts.table.js';
import { insertUserRecorded, newUserRow } from './new-user.js';
import { hashPassword } from './passwords.js';

/**
 * The users a sign-in other than a password (SSO) looks up or creates: the rows, as
 * `sessions.openSession` takes them. Kept apart from the admin's user management.
 */
export function createSignInUsers(deps: { db: Kysely<Schema>; clock: Clock }) {
  const { db, clock } = deps;
  return {
    /** The user of this name in whichever org, as stored. */
    signInUserNamed: (username: string): Promise<UserRow | undefined> =>
      findUserByUsername(db, normalizeUsername(username)),

    /** The org's user of this id, as stored. */
    signInUserById: (orgId: string, userId: string): Promise<UserRow | undefined> =>
      findUserInOrg(db, orgId, userId),

    /**
     * A `user` created by their first SSO login (`autoCreateUsers`). Its password is random and
     * never shown: nobody can log in with it until an admin resets it. Answers the user of that
     * name when a concurrent login created it first; CONFLICT when that one is of another org.
     */
    async createSsoUser(input: { orgId: string; username: string; issuer: string }): Promise<UserRow> {
      const now = clock.now();
      const username = canonicalUsername(input.username);
      const user = newUserRow({
        orgId: input.orgId,
        username,
        passwordHash: await hashPassword(randomBytes(32).toString('base64url')),
        role: 'user',
        now,
      });
      try {
        await insertUserRecorded(db, user, {
          occurredAt: now,
          userId: null,
          username: 'system',
          activity: ACTIVITY.USER_CREATED,
          status: 'success',
          target: `${username} (user)`,
          details: { via: 'sso', identityProvider: input.issuer },
        });
        return user;
      } catch (error) {
        const existing = await findUserByUsername(db, username);
        if (existing?.orgId === input.orgId) return existing;
        if (existing) throw new AppError('CONFLICT', `username "${username}" is taken in another org`);
        throw error;
      }
    },
  };
}
