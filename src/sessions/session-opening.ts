import type { Kysely } from 'kysely';
import type { UserRow } from '../accounts/accounts.table.js';
import { lockedOutActivity } from '../accounts/credential-activities.js';
import type { Credentials } from '../accounts/credentials.js';
import { toUser } from '../accounts/user.js';
import { type ActivityEvent, recordActivities } from '../activity/chain/record.js';
import type { User } from '../contracts/accounts.js';
import type { Session } from '../contracts/sessions.js';
import type { Schema } from '../db/schema.js';
import type { Clock } from '../kernel/clock.js';
import { AppError } from '../kernel/errors.js';
import { normalizeIp } from '../kernel/ip.js';
import { normalizeUsername } from '../kernel/username.js';
import { type HeaderBag, parseClientInfo } from './client-info.js';
import type { GeoLocator } from './geo.js';
import type { LiveEvent } from './live-events.js';
import { assessLoginRisk } from './login-risk.js';
import { toSession } from './session.js';
import { loginActivity, loginFailedActivity } from './session-activities.js';
import type { createSessionLimit } from './session-limit.js';
import { loginSessionRow, type SignIn } from './session-row.js';
import { insertSession } from './sessions.repository.js';
import { generateSessionToken, hashToken } from './tokens.js';

export interface LoginInput {
  username: string;
  password: string;
  ip: string;
  headers: HeaderBag;
  /** The browser's known-device cookie, if it sent one (accounts/known-devices.ts). */
  deviceToken?: string | undefined;
}

/** Where a sign-in comes from: the client's address and request headers. */
export interface SignInContext {
  ip: string;
  headers: HeaderBag;
}

export interface PasswordChecked {
  user: UserRow;
  /** The browser's known-device token to set (accounts/known-devices.ts). */
  deviceToken: string;
}

export interface OpenedSession {
  /** The new session's cookie token (only its hash is stored). */
  token: string;
  user: User;
  session: Session;
}

const INVALID_CREDENTIALS = new AppError('INVALID_CREDENTIALS', 'Invalid username or password');

/**
 * The two steps every sign-in ends with, whatever came before (a password, a second factor, SSO):
 * the password check, and the opening of a new session.
 */
export function createSessionOpening(deps: {
  db: Kysely<Schema>;
  clock: Clock;
  geo: GeoLocator;
  credentials: Credentials;
  sessionLimit: ReturnType<typeof createSessionLimit>;
  announce: (event: LiveEvent) => Promise<void>;
}) {
  const { db, clock, sessionLimit, announce } = deps;

  /**
   * Checks a password (PasswordCheck), recording a failure and a lockout as activities; answers
   * the user and the browser's known-device token, or throws INVALID_CREDENTIALS.
   */
  async function checkPassword(input: LoginInput): Promise<PasswordChecked> {
    const now = clock.now();
    const username = normalizeUsername(input.username);
    // One address, one spelling: "::ffff:8.8.8.8" from a dual-stack socket is 8.8.8.8 in the list,
    // the activity log and the guess limits alike.
    const ip = normalizeIp(input.ip);
    const check = await deps.credentials.checkPassword({
      username,
      password: input.password,
      ip,
      deviceToken: input.deviceToken,
    });
    if (!check.ok) {
      const { user } = check;
      if (user) {
        const events = [loginFailedActivity(user, ip, now)];
        if (check.lockedOut) events.push(lockedOutActivity(user, ip, now, deps.credentials.lockoutEndsAt()));
        await db.transaction().execute((trx) => recordActivities(trx, user.orgId, events, now));
      }
      throw INVALID_CREDENTIALS;
    }
    return { user: check.user, deviceToken: check.deviceToken };
  }

  /**
   * Opens a new session for a user whose sign-in is complete (never reuses one: no fixation),
   * within the org's session limit (session-limit.ts), its login an activity; `also` names more
   * activities about it (a break-glass login), committed with it or not at all.
   */
  async function openSession(
    user: UserRow,
    context: SignInContext,
    signIn: SignIn,
    also: (sessionId: string, now: number) => ActivityEvent[] = () => [],
  ): Promise<OpenedSession> {
    const now = clock.now();
    const ip = normalizeIp(context.ip);
    const token = generateSessionToken();
    const client = parseClientInfo(context.headers);
    const row = await sessionLimit.admit(user, { ip, now }, async (trx, { events, limits }) => {
      const opened = loginSessionRow({
        tokenHash: hashToken(token),
        user,
        ip,
        geo: deps.geo.lookup(ip),
        client,
        headers: context.headers,
        now,
        maxMs: limits.maxMs,
        signIn,
      });
      const risk = await assessLoginRisk(trx, opened);
      const flagged = { ...opened, ...risk.columns };
      await insertSession(trx, flagged);
      await recordActivities(
        trx,
        user.orgId,
        [
          ...events,
          loginActivity(user, client, ip, opened.id, now, signIn),
          ...risk.activities,
          ...also(opened.id, now),
        ],
        now,
      );
      return flagged;
    });
    await announce({ type: 'sessions-changed', orgId: user.orgId, userIds: [user.id] });
    const session = toSession(row, { currentSessionId: row.id, access: { at: now, usedOn: null } });
    return { token, user: toUser(user), session };
  }

  return { checkPassword, openSession };
}
