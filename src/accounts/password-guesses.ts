import { setTimeout as sleep } from 'node:timers/promises';
import ipaddr from 'ipaddr.js';
import type { Kysely } from 'kysely';
import type { Schema } from '../db/schema.js';
import type { Clock } from '../kernel/clock.js';
import { AppError } from '../kernel/errors.js';
import {
  countGuessesAhead,
  countUsernameFailures,
  deleteGuess,
  deleteGuessesUpTo,
  deleteUsernameGuesses,
  type GuessBudget,
  insertGuess,
  markGuessFailed,
  usernamesWithFailures,
} from './password-guesses.repository.js';

export const GUESS_WINDOW_MS = 15 * 60_000;
/** Failed guesses allowed per window and budget; correct passwords never count. */
export const MAX_FAILURES_PER_USERNAME = 10;
export const MAX_FAILURES_PER_IP = 30;
export const MAX_FAILURES_PER_DEVICE = 10;
/** How often a queued guess looks whether the ones ahead of it were settled. */
const QUEUE_POLL_MS = 20;
/** A guess queued this long behind others that are still being checked is refused. */
const MAX_QUEUE_WAIT_MS = 10_000;
/** A guess still being checked after this long was left behind by a process that died. */
const ABANDONED_AFTER_MS = 60_000;

/** A reserved guess: check the password, then settle it. */
export interface PasswordGuess {
  readonly id: number;
  readonly username: string;
  readonly fromKnownDevice: boolean;
}

export type PasswordGuesses = ReturnType<typeof createPasswordGuesses>;

/**
 * Limits password guesses (logins and the current password of a password change) per username,
 * per address and per known device, counted in the database so every instance shares one budget.
 *
 * Each guess is queued — written — before its password is checked, and is checked only while the
 * guesses queued up to it, failed or still being checked, fit in every budget it falls under.
 * One queued behind a full budget waits until those ahead are settled: it is refused if they
 * failed, and goes ahead if some were correct (a correct password leaves the queue). So however
 * many guesses arrive at once, exactly those are checked that would be one after another.
 */
export function createPasswordGuesses(deps: { db: Kysely<Schema>; clock: Clock }) {
  const { db, clock } = deps;

  async function reserve(attempt: {
    username: string;
    ip: string;
    deviceId: string | null;
  }): Promise<PasswordGuess> {
    const now = clock.now();
    const since = now - GUESS_WINDOW_MS;
    const ip = ipBudgetKey(attempt.ip);
    const budgets: [GuessBudget, number][] =
      attempt.deviceId === null
        ? [
            [{ kind: 'username', username: attempt.username }, MAX_FAILURES_PER_USERNAME],
            [{ kind: 'ip', ip }, MAX_FAILURES_PER_IP],
          ]
        : [[{ kind: 'device', deviceId: attempt.deviceId }, MAX_FAILURES_PER_DEVICE]];
    const id = await insertGuess(
      db,
      { ip, username: attempt.username, deviceId: attempt.deviceId, at: now },
      budgets.map(([budget]) => budget),
    );
    const giveUpAt = performance.now() + MAX_QUEUE_WAIT_MS;
    for (;;) {
      const counts = await Promise.all(
        budgets.map(([budget]) =>
          countGuessesAhead(db, budget, { since, id, staleBefore: now - ABANDONED_AFTER_MS }),
        ),
      );
      const spent = counts.filter((c, i) => c.failed >= (budgets[i]?.[1] ?? 0));
      if (spent.length > 0 || performance.now() > giveUpAt) {
        await deleteGuess(db, id);
        const oldest = Math.min(...spent.map((c) => c.oldestFailure ?? now));
        const retryAfterSeconds = Math.max(1, Math.ceil((oldest + GUESS_WINDOW_MS - now) / 1000));
        throw new AppError('RATE_LIMITED', 'Too many failed password attempts; try again later', {
          'retry-after': String(retryAfterSeconds),
        });
      }
      if (counts.every((c, i) => c.queued <= (budgets[i]?.[1] ?? 0))) {
        return { id, username: attempt.username, fromKnownDevice: attempt.deviceId !== null };
      }
      await sleep(QUEUE_POLL_MS);
    }
  }

  return {
    reserve,

    /**
     * A correct password leaves the queue; a wrong one stays counted until the window passes.
     * Answers whether this failure used up the username's budget (a lockout begins).
     */
    async settle(guess: PasswordGuess, correct: boolean): Promise<{ lockedOut: boolean }> {
      if (correct) {
        await deleteGuess(db, guess.id);
        return { lockedOut: false };
      }
      await markGuessFailed(db, guess.id);
      const now = clock.now();
      await deleteGuessesUpTo(db, now - GUESS_WINDOW_MS);
      if (guess.fromKnownDevice) return { lockedOut: false };
      // The last of the budget's failures to be marked sees them all; one marked at the same moment may too.
      const failures = await countUsernameFailures(db, guess.username, now - GUESS_WINDOW_MS);
      return { lockedOut: failures === MAX_FAILURES_PER_USERNAME };
    },

    /** Lifts a username's lockout (an admin or the CLI); answers how many failures were forgotten. */
    clear(username: string, trx: Kysely<Schema> = db): Promise<number> {
      return deleteUsernameGuesses(trx, username);
    },

    /** The org's usernames whose password logins from unknown devices are refused now, in one query. */
    lockedOutUsernames(orgId: string): Promise<Set<string>> {
      return usernamesWithFailures(db, {
        orgId,
        since: clock.now() - GUESS_WINDOW_MS,
        threshold: MAX_FAILURES_PER_USERNAME,
      });
    },

    /** When a lockout that starts now ends. */
    lockoutEndsAt(): number {
      return clock.now() + GUESS_WINDOW_MS;
    },
  };
}

/**
 * One budget per IPv4 address and per IPv6 /64: a single host usually holds a whole /64, so
 * counting its addresses apart would give one attacker 2^64 budgets.
 */
export function ipBudgetKey(ip: string): string {
  if (!ip.includes(':') || !ipaddr.IPv6.isValid(ip)) return ip;
  const parts = ipaddr.IPv6.parse(ip).parts.slice(0, 4);
  return `${new ipaddr.IPv6([...parts, 0, 0, 0, 0]).toRFC5952String()}/64`;
}
