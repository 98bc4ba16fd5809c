import type { Kysely } from 'kysely';
import { ACTIVITY } from '../activity/activity-names.js';
import { actorEvent } from '../activity/actor-event.js';
import { recordActivities } from '../activity/chain/record.js';
import type { User } from '../contracts/accounts.js';
import type { Schema } from '../db/schema.js';
import { type Actor, isAdmin, type Role } from '../kernel/actor.js';
import type { Clock } from '../kernel/clock.js';
import { AppError, forbidden, notFound } from '../kernel/errors.js';
import {
  findUserInOrg,
  listOrgsWithUserCounts,
  listUsersInOrg,
  updatePasswordHash,
} from './accounts.repository.js';
import type { Credentials } from './credentials.js';
import { generatePassword } from './generated-password.js';
import { keepingAnActiveAdmin } from './last-admin.js';
import { setUserRole } from './org-admins.repository.js';
import { deleteUsernameGuesses } from './password-guesses.repository.js';
import { assertPasswordPolicy, hashPassword } from './passwords.js';
import { toUser } from './user.js';
import type { UserSessions } from './user-sessions.js';

export interface UserAdministrationDeps {
  db: Kysely<Schema>;
  clock: Clock;
  sessions: UserSessions;
  credentials: Credentials;
}

/** A user as an operator's overview shows them. */
export interface UserOverview extends User {
  /** Password logins from unknown devices refused after failed attempts. */
  lockedOut: boolean;
}

/** An org as the operator's overview shows it. */
export interface OrgOverview {
  id: string;
  name: string;
  createdAt: string;
  users: number;
}

export interface PasswordReset {
  user: User;
  /** Only when the password was generated: shown this once, stored nowhere in clear. */
  generatedPassword?: string;
  endedSessions: number;
  /** Failed password attempts forgotten, which lifts a lockout. */
  forgottenFailures: number;
}

/** What an admin (or the operator) does to another user — role, password — and the operator's overviews. */
export function createUserAdministration(deps: UserAdministrationDeps) {
  const { db, clock, sessions, credentials } = deps;

  async function findTarget(actor: Actor, userId: string, what: string) {
    if (!isAdmin(actor)) throw forbidden(`Only admins can ${what}`);
    const user = await findUserInOrg(db, actor.orgId, userId);
    if (!user) throw notFound('User');
    return user;
  }

  return {
    /** Every org of the vault with its number of users: the operator's view, no actor's. */
    async listOrgOverview(): Promise<OrgOverview[]> {
      const rows = await listOrgsWithUserCounts(db);
      return rows.map((r) => ({ ...r, createdAt: new Date(r.createdAt).toISOString() }));
    },

    /** The org's users with their lockout state (admin or operator only). */
    async listUserOverview(actor: Actor): Promise<UserOverview[]> {
      if (!isAdmin(actor)) throw forbidden('Only admins can list users');
      const [rows, lockedOut] = await Promise.all([
        listUsersInOrg(db, actor.orgId),
        credentials.lockedOutUsernames(actor.orgId),
      ]);
      return rows.map((row) => ({ ...toUser(row), lockedOut: lockedOut.has(row.username) }));
    },

    /** Makes a user an admin or an ordinary user; the org's last active admin stays one. */
    async setRole(actor: Actor, userId: string, role: Role): Promise<User> {
      const user = await findTarget(actor, userId, 'change roles');
      const now = clock.now();
      await db.transaction().execute(async (trx) => {
        await keepingAnActiveAdmin(trx, user, async () => {
          const { demotedActiveAdmin } = await setUserRole(trx, user.id, role);
          return { removedActiveAdmin: demotedActiveAdmin };
        });
        if (user.role !== role) {
          const event = actorEvent(actor, now, ACTIVITY.USER_ROLE_CHANGED, user.username);
          await recordActivities(trx, actor.orgId, [{ ...event, details: `${user.role} → ${role}` }], now);
        }
      });
      return toUser({ ...user, role });
    },

    /**
     * Sets a new password for another user — the one given, or a generated one — and, in the same
     * transaction, ends every session of theirs and lifts their lockout: whoever knew the old
     * password, or held a session, is out. An admin changes their own with the current password.
     */
    async resetPassword(
      actor: Actor,
      userId: string,
      input: { password?: string | undefined },
    ): Promise<PasswordReset> {
      const user = await findTarget(actor, userId, 'reset passwords');
      if (user.id === actor.userId) {
        throw new AppError(
          'CONFLICT',
          'Change your own password with your current one (POST /api/me/password)',
        );
      }
      const generatedPassword = input.password === undefined ? generatePassword(user.username) : undefined;
      const password = input.password ?? (generatedPassword as string);
      assertPasswordPolicy(password, user.username);
      const passwordHash = await hashPassword(password);
      const now = clock.now();
      const { ending, forgottenFailures } = await db.transaction().execute(async (trx) => {
        await updatePasswordHash(trx, user.id, passwordHash, now);
        const ending = await sessions.endUserSessionsWithin(
          trx,
          actor,
          { orgId: actor.orgId, userId: user.id },
          'password_changed',
          now,
        );
        const forgottenFailures = await deleteUsernameGuesses(trx, user.username);
        const details =
          `${ending.ended} session${ending.ended === 1 ? '' : 's'} ended; ` +
          `${forgottenFailures} failed password attempt${forgottenFailures === 1 ? '' : 's'} forgotten` +
          (generatedPassword ? '; password generated' : '; password set by the admin');
        const event = { ...actorEvent(actor, now, ACTIVITY.PASSWORD_RESET, user.username), details };
        await recordActivities(trx, actor.orgId, [event, ...ending.events], now);
        return { ending, forgottenFailures };
      });
      await ending.announce();
      return {
        user: toUser({ ...user, passwordChangedAt: now }),
        ...(generatedPassword ? { generatedPassword } : {}),
        endedSessions: ending.ended,
        forgottenFailures,
      };
    },
  };
}
