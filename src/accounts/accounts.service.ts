import type { Kysely } from 'kysely';
import { ACTIVITY } from '../activity/activity-names.js';
import { actorEvent } from '../activity/actor-event.js';
import { recordActivities } from '../activity/chain/record.js';
import type { User } from '../contracts/accounts.js';
import type { Schema } from '../db/schema.js';
import type { Role } from '../kernel/actor.js';
import { type Actor, isAdmin } from '../kernel/actor.js';
import type { Clock } from '../kernel/clock.js';
import { AppError, forbidden, notFound } from '../kernel/errors.js';
import { newId } from '../kernel/ids.js';
import { canonicalUsername, normalizeUsername } from '../kernel/username.js';
import {
  findOrgById,
  findOrgByName,
  findUserByUsername,
  findUserInOrg,
  insertOrg,
  insertUser,
  listOrgs,
  setUserDisabled,
  updatePasswordHash,
  userIdsByUsername,
} from './accounts.repository.js';
import {
  lockedOutActivity,
  lockoutClearedActivity,
  passwordChangeFailedActivity,
} from './credential-activities.js';
import type { Credentials } from './credentials.js';
import { createDemoUsers } from './demo-users.js';
import { keepingAnActiveAdmin } from './last-admin.js';
import { insertUserRecorded, newUserRow } from './new-user.js';
import { disableUser } from './org-admins.repository.js';
import { assertPasswordPolicy, hashPassword } from './passwords.js';
import { createSignInUsers } from './sign-in-users.js';
import { toUser } from './user.js';
import { createUserAdministration } from './user-administration.js';
import { createUserList } from './user-list.js';
import type { UserSessionFigures } from './user-session-figures.js';
import type { UserSessions } from './user-sessions.js';

export interface AccountServiceDeps {
  db: Kysely<Schema>;
  clock: Clock;
  /** The session service: ends users' sessions, and counts them for the list of users. */
  sessions: UserSessions & UserSessionFigures;
  credentials: Credentials;
}

export interface NewUserInput {
  username: string;
  password: string;
  role: Role;
}

export type AccountService = ReturnType<typeof createAccountService>;

export function createAccountService(deps: AccountServiceDeps) {
  const { db, clock, sessions, credentials } = deps;

  async function assertUsernameFree(username: string): Promise<void> {
    if (await findUserByUsername(db, username)) {
      throw new AppError('CONFLICT', `username "${username}" is already taken`);
    }
  }

  return {
    ...createUserAdministration(deps),
    ...createSignInUsers(deps),

    /** Creates an org and its first admin (CLI and first start). */
    async createOrgWithAdmin(input: { orgName: string } & Omit<NewUserInput, 'role'>) {
      const now = clock.now();
      const username = canonicalUsername(input.username);
      assertPasswordPolicy(input.password, username);
      if (await findOrgByName(db, input.orgName))
        throw new AppError('CONFLICT', `org "${input.orgName}" exists`);
      await assertUsernameFree(username);
      const org = { id: newId(), name: input.orgName, createdAt: now };
      const user = {
        id: newId(),
        orgId: org.id,
        username,
        passwordHash: await hashPassword(input.password),
        role: 'admin' as const,
        disabledAt: null,
        createdAt: now,
        passwordChangedAt: now,
      };
      await db.transaction().execute(async (trx) => {
        await insertOrg(trx, org);
        await insertUser(trx, user);
        await recordActivities(
          trx,
          org.id,
          [
            {
              occurredAt: now,
              userId: null,
              username: 'system',
              activity: ACTIVITY.ORG_CREATED,
              status: 'success',
              target: org.name,
            },
            {
              occurredAt: now,
              userId: null,
              username: 'system',
              activity: ACTIVITY.USER_CREATED,
              status: 'success',
              target: `${username} (admin)`,
            },
          ],
          now,
        );
      });
      return { org, user: toUser(user) };
    },

    /** The demo's crowd of users (`demo --sessions`), sharing the demo password: see createDemoUsers. */
    createDemoUsers: (input: { orgId: string; usernames: readonly string[]; password: string }) =>
      createDemoUsers(db, { ...input, now: clock.now() }),

    /** The org of this name: the operator names orgs at the CLI. */
    orgNamed: (name: string) => findOrgByName(db, name),

    /** Every org, by name. */
    listOrgs: () => listOrgs(db),

    /** The user of this name, in whichever org (usernames are unique across the vault). */
    async userNamed(username: string): Promise<User | undefined> {
      const row = await findUserByUsername(db, normalizeUsername(username));
      return row ? toUser(row) : undefined;
    },

    /**
     * A user's row in an org, as a sign-in step needs it (sessions.openSession takes the row):
     * looked up afresh, so a user disabled meanwhile is seen as such.
     */
    userRowInOrg: (orgId: string, userId: string) => findUserInOrg(db, orgId, userId),

    /** When an org was created, or undefined when there is none (ingest bounds `occurredAt` by it). */
    async orgCreatedAt(orgId: string): Promise<number | undefined> {
      const org = await findOrgById(db, orgId);
      return org ? Number(org.createdAt) : undefined;
    },

    /** The ids of the org's users among `usernames` (canonical), by username. */
    userIdsByUsername: (orgId: string, usernames: readonly string[]) =>
      userIdsByUsername(db, orgId, usernames),

    async getOrgName(orgId: string): Promise<string> {
      return (await findOrgById(db, orgId))?.name ?? 'org';
    },

    /** Admins add users to their own org only. */
    async createUser(actor: Actor, input: NewUserInput): Promise<User> {
      if (!isAdmin(actor)) throw forbidden('Only admins can add users');
      const now = clock.now();
      const username = canonicalUsername(input.username);
      assertPasswordPolicy(input.password, username);
      await assertUsernameFree(username);
      const user = newUserRow({
        orgId: actor.orgId,
        username,
        passwordHash: await hashPassword(input.password),
        role: input.role,
        now,
      });
      try {
        await insertUserRecorded(
          db,
          user,
          actorEvent(actor, now, ACTIVITY.USER_CREATED, `${username} (${input.role})`),
        );
      } catch (error) {
        // Two admins adding the same name at once: the unique index decides.
        if (await findUserByUsername(db, username))
          throw new AppError('CONFLICT', `username "${username}" is already taken`);
        throw error;
      }
      return toUser(user);
    },

    /** Admin: the org's users; user: only themselves; each with their sessions and lockout (UserList). */
    listUsers: createUserList({ db, credentials, figures: sessions }),

    /**
     * Changes the caller's password and ends their other sessions. The current password is a
     * guess like a login's, within the same limits: a stolen session cannot try passwords freely.
     */
    async changePassword(
      actor: Actor,
      input: { currentPassword: string; newPassword: string },
      client: { deviceToken: string | undefined } = { deviceToken: undefined },
    ): Promise<number> {
      const user = actor.userId ? await findUserInOrg(db, actor.orgId, actor.userId) : undefined;
      if (!user) throw notFound('User');
      const check = await credentials.checkPassword({
        username: user.username,
        password: input.currentPassword,
        ip: actor.publicIp ?? 'unknown',
        deviceToken: client.deviceToken,
      });
      if (!check.ok) {
        const at = clock.now();
        const events = [passwordChangeFailedActivity(actor, at)];
        if (check.lockedOut) {
          events.push(lockedOutActivity(user, actor.publicIp ?? 'unknown', at, credentials.lockoutEndsAt()));
        }
        await db.transaction().execute((trx) => recordActivities(trx, actor.orgId, events, at));
        throw new AppError('INVALID_INPUT', 'currentPassword is not your current password');
      }
      assertPasswordPolicy(input.newPassword, user.username, 'newPassword');
      const passwordHash = await hashPassword(input.newPassword);
      const now = clock.now();
      const ending = await db.transaction().execute(async (trx) => {
        await updatePasswordHash(trx, user.id, passwordHash, now);
        const ending = await sessions.endUserSessionsWithin(
          trx,
          actor,
          { orgId: actor.orgId, userId: user.id, exceptSessionId: actor.sessionId },
          'password_changed',
          now,
        );
        const changed = actorEvent(actor, now, ACTIVITY.PASSWORD_CHANGED, user.username);
        await recordActivities(trx, actor.orgId, [changed, ...ending.events], now);
        return ending;
      });
      await ending.announce();
      return ending.ended;
    },

    /** Admin: lets a user locked out by failed password attempts log in again at once. */
    async clearLockout(actor: Actor, userId: string): Promise<number> {
      if (!isAdmin(actor)) throw forbidden('Only admins can clear a lockout');
      const user = await findUserInOrg(db, actor.orgId, userId);
      if (!user) throw notFound('User');
      const now = clock.now();
      // One transaction: a lockout is never lifted without the trail saying who lifted it.
      return db.transaction().execute(async (trx) => {
        const forgotten = await credentials.clearLockout(user.username, trx);
        await recordActivities(
          trx,
          actor.orgId,
          [lockoutClearedActivity(actor, user.username, forgotten, now)],
          now,
        );
        return forgotten;
      });
    },

    /**
     * Disabling a user ends every session they have; enabling lets them log in again. The org's
     * last active admin cannot be disabled.
     */
    async setDisabled(actor: Actor, userId: string, disabled: boolean): Promise<User> {
      if (!isAdmin(actor)) throw forbidden('Only admins can disable users');
      const user = await findUserInOrg(db, actor.orgId, userId);
      if (!user) throw notFound('User');
      if (user.id === actor.userId && disabled) throw new AppError('CONFLICT', 'You cannot disable yourself');
      const activity = disabled ? ACTIVITY.USER_DISABLED : ACTIVITY.USER_ENABLED;
      const now = clock.now();
      const disabledAt = disabled ? now : null;
      // The user and the ending of their sessions commit together, or neither does.
      const ending = await db.transaction().execute(async (trx) => {
        if (disabled) {
          await keepingAnActiveAdmin(trx, user, async () => ({
            removedActiveAdmin: (await disableUser(trx, user.id, now)) === 'admin',
          }));
        } else await setUserDisabled(trx, user.id, null);
        const ending = disabled
          ? await sessions.endUserSessionsWithin(
              trx,
              actor,
              { orgId: actor.orgId, userId: user.id },
              'user_disabled',
              now,
            )
          : undefined;
        const changed = actorEvent(actor, now, activity, user.username);
        await recordActivities(trx, actor.orgId, [changed, ...(ending?.events ?? [])], now);
        return ending;
      });
      await ending?.announce();
      return toUser({ ...user, disabledAt });
    },
  };
}
