import { createHash, randomBytes } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { Schema } from '../../db/schema.js';
import type { Clock } from '../../kernel/clock.js';
import { AppError } from '../../kernel/errors.js';
import { claimMfaToken, findLiveMfaToken, insertMfaToken, releaseMfaToken } from './mfa.repository.js';
import type { MfaTokenPurpose, MfaTokenRow } from './mfa.table.js';

/** How long a password login waits for its second factor (or enrolment). */
export const MFA_TOKEN_TTL_MS = 5 * 60_000;

const hashOf = (token: string) => createHash('sha256').update(token).digest('hex');

const invalidToken = () =>
  new AppError('MFA_TOKEN_INVALID', 'This sign-in has expired or was already used; sign in again');

export type MfaTokens = ReturnType<typeof createMfaTokens>;

/**
 * The token between a correct password and the finished login: 32 random bytes, only its hash
 * stored, five minutes, one login. A finishing attempt claims it (one conditional UPDATE), so of
 * any number at once exactly one goes on; a wrong code gives it back for another try.
 */
export function createMfaTokens(deps: { db: Kysely<Schema>; clock: Clock }) {
  const { db, clock } = deps;

  return {
    async issue(user: { id: string; orgId: string }, purpose: MfaTokenPurpose): Promise<string> {
      const token = randomBytes(32).toString('base64url');
      const now = clock.now();
      await insertMfaToken(db, {
        tokenHash: hashOf(token),
        userId: user.id,
        orgId: user.orgId,
        purpose,
        createdAt: now,
        expiresAt: now + MFA_TOKEN_TTL_MS,
      });
      return token;
    },

    /** A live token for `purpose`, without taking it (enrolment may be started again and again). */
    async peek(token: string, purpose: MfaTokenPurpose): Promise<MfaTokenRow> {
      const row = await findLiveMfaToken(db, hashOf(token), clock.now());
      if (!row || row.purpose !== purpose) throw invalidToken();
      return row;
    },

    /**
     * Runs `finish` holding the token: it stays used once `finish` succeeded (a login finished),
     * and is given back when it throws (a wrong code), for another try within its lifetime.
     */
    async spend<T>(
      token: string,
      purpose: MfaTokenPurpose,
      finish: (row: MfaTokenRow) => Promise<T>,
    ): Promise<T> {
      const tokenHash = hashOf(token);
      const row = await claimMfaToken(db, tokenHash, clock.now());
      if (!row) throw invalidToken();
      if (row.purpose !== purpose) {
        await releaseMfaToken(db, tokenHash);
        throw invalidToken();
      }
      try {
        return await finish(row);
      } catch (error) {
        await releaseMfaToken(db, tokenHash).catch(() => {});
        throw error;
      }
    },
  };
}
