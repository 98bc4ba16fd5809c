import type { Kysely } from 'kysely';
import type { Schema } from '../db/schema.js';
import type { Clock } from '../kernel/clock.js';
import { findUserByUsername } from './accounts.repository.js';
import type { UserRow } from './accounts.table.js';
import { createKnownDevices } from './known-devices.js';
import { createPasswordGuesses } from './password-guesses.js';
import { verifyAgainstDummy, verifyPassword } from './passwords.js';

export interface PasswordAttempt {
  /** Normalised (user.ts). */
  username: string;
  password: string;
  /** Canonical (kernel/ip.ts). */
  ip: string;
  /** The browser's known-device cookie, if it sent one. */
  deviceToken: string | undefined;
}

export type PasswordCheck =
  | { ok: true; user: UserRow; deviceToken: string }
  | { ok: false; user: UserRow | undefined; lockedOut: boolean };

export type Credentials = ReturnType<typeof createCredentials>;

/**
 * The one way a password is checked — at login and for a password change — so both share the
 * guess limits. Throws RATE_LIMITED before any check when the budget is used up.
 */
export function createCredentials(deps: { db: Kysely<Schema>; clock: Clock }) {
  const guesses = createPasswordGuesses(deps);
  const devices = createKnownDevices(deps.db);

  return {
    async checkPassword(attempt: PasswordAttempt): Promise<PasswordCheck> {
      const user = await findUserByUsername(deps.db, attempt.username);
      const deviceId = user ? await devices.recognize(attempt.deviceToken, user.id) : null;
      const guess = await guesses.reserve({ username: attempt.username, ip: attempt.ip, deviceId });
      const correct =
        user && user.disabledAt === null
          ? await verifyPassword(user.passwordHash, attempt.password)
          : await verifyAgainstDummy(attempt.password);
      const { lockedOut } = await guesses.settle(guess, correct);
      if (!user || !correct) return { ok: false, user, lockedOut };
      const deviceToken = deviceId ? (attempt.deviceToken as string) : await devices.issue(user.id);
      return { ok: true, user, deviceToken };
    },

    /**
     * Checks a second-factor code within the same budgets as passwords: the username's and the
     * address's, never a known device's (a device cookie comes with the password alone, so it must
     * not buy a code guesser a fresh budget). `check` is called only within them; throws
     * RATE_LIMITED when they are used up.
     */
    async checkCode(
      attempt: { username: string; ip: string },
      check: () => Promise<boolean>,
    ): Promise<{ ok: boolean; lockedOut: boolean }> {
      const guess = await guesses.reserve({ username: attempt.username, ip: attempt.ip, deviceId: null });
      let ok: boolean;
      try {
        ok = await check();
      } catch (error) {
        // A check that could not run (the database) proved nothing wrong: it leaves the queue.
        await guesses.settle(guess, true).catch(() => {});
        throw error;
      }
      const settled = await guesses.settle(guess, ok);
      return { ok, lockedOut: settled.lockedOut };
    },

    /** Lifts a username's lockout (in `trx`, if given); answers how many failed attempts were forgotten. */
    clearLockout: (username: string, trx?: Kysely<Schema>) => guesses.clear(username, trx),

    lockedOutUsernames: (orgId: string) => guesses.lockedOutUsernames(orgId),

    lockoutEndsAt: () => guesses.lockoutEndsAt(),
  };
}
