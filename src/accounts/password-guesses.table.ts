import type { Generated } from 'kysely';

/**
 * A password guess, reserved before the password is checked (table `login_failures`): a row is
 * an attempt in flight or a failure; a correct password deletes its row, so only failures stay.
 */
export interface PasswordGuessTable {
  id: Generated<number>;
  /** The address the guess came from; an IPv6 address as its /64 (password-guesses.ts). */
  ip: string;
  username: string;
  /** The known-device cookie's id the guess came with, if it carried a valid one for this user. */
  deviceId: string | null;
  at: number;
  /** 0 while the password is being checked, 1 once it proved wrong. */
  failed: number;
}
