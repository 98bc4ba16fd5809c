import type { Kysely } from 'kysely';
import type { Schema } from '../../db/schema.js';
import type { MfaTokenPurpose, MfaTokenRow, TotpFactorRow } from './mfa.table.js';

type Db = Kysely<Schema>;

export function findTotpFactor(db: Db, userId: string): Promise<TotpFactorRow | undefined> {
  return db.selectFrom('totpFactors').selectAll().where('userId', '=', userId).executeTakeFirst();
}

/** Starts (or restarts) an enrolment; refused (false) when a confirmed factor is in the way. */
export async function savePendingFactor(
  db: Db,
  factor: { userId: string; orgId: string; secret: string; createdAt: number },
): Promise<boolean> {
  const result = await db
    .insertInto('totpFactors')
    .values({ ...factor, confirmedAt: null, lastStep: null })
    .onConflict((oc) =>
      oc
        .column('userId')
        .doUpdateSet({ secret: factor.secret, createdAt: factor.createdAt, lastStep: null })
        .where('totpFactors.confirmedAt', 'is', null),
    )
    .executeTakeFirst();
  return Number(result.numInsertedOrUpdatedRows ?? 0) > 0;
}

/**
 * Confirms the pending factor whose secret is `secret` (the one the code was checked against: a
 * second enrolment in between replaced it), its first code's step used. False when it was not.
 */
export async function confirmFactor(
  db: Db,
  factor: { userId: string; secret: string; step: number; at: number },
): Promise<boolean> {
  const result = await db
    .updateTable('totpFactors')
    .set({ confirmedAt: factor.at, lastStep: factor.step })
    .where('userId', '=', factor.userId)
    .where('secret', '=', factor.secret)
    .where('confirmedAt', 'is', null)
    .executeTakeFirst();
  return Number(result.numUpdatedRows) > 0;
}

/**
 * Takes a time step for a confirmed factor: one conditional UPDATE, so of any number of requests
 * with codes of the same (or an older) step, exactly one gets it.
 */
export async function takeStep(db: Db, userId: string, step: number): Promise<boolean> {
  const result = await db
    .updateTable('totpFactors')
    .set({ lastStep: step })
    .where('userId', '=', userId)
    .where('confirmedAt', 'is not', null)
    .where((eb) => eb.or([eb('lastStep', 'is', null), eb('lastStep', '<', step)]))
    .executeTakeFirst();
  return Number(result.numUpdatedRows) > 0;
}

/** Removes a user's factor and recovery codes; answers whether a factor (pending or not) was there. */
export async function deleteFactor(db: Db, userId: string): Promise<boolean> {
  await db.deleteFrom('recoveryCodes').where('userId', '=', userId).execute();
  const result = await db.deleteFrom('totpFactors').where('userId', '=', userId).executeTakeFirst();
  return Number(result.numDeletedRows) > 0;
}

export async function replaceRecoveryCodes(
  db: Db,
  userId: string,
  hashes: readonly string[],
  at: number,
): Promise<void> {
  await db.deleteFrom('recoveryCodes').where('userId', '=', userId).execute();
  await db
    .insertInto('recoveryCodes')
    .values(hashes.map((codeHash) => ({ userId, codeHash, createdAt: at, usedAt: null })))
    .execute();
}

/** Uses a recovery code, once: of concurrent uses of one code exactly one gets true. */
export async function spendRecoveryCode(
  db: Db,
  userId: string,
  codeHash: string,
  at: number,
): Promise<boolean> {
  const result = await db
    .updateTable('recoveryCodes')
    .set({ usedAt: at })
    .where('userId', '=', userId)
    .where('codeHash', '=', codeHash)
    .where('usedAt', 'is', null)
    .executeTakeFirst();
  return Number(result.numUpdatedRows) > 0;
}

export async function countUnusedRecoveryCodes(db: Db, userId: string): Promise<number> {
  const row = await db
    .selectFrom('recoveryCodes')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where('userId', '=', userId)
    .where('usedAt', 'is', null)
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

export async function insertMfaToken(
  db: Db,
  token: {
    tokenHash: string;
    userId: string;
    orgId: string;
    purpose: MfaTokenPurpose;
    createdAt: number;
    expiresAt: number;
  },
): Promise<void> {
  // Expired tokens go as new ones come: the table holds five minutes of logins at most.
  await db.deleteFrom('mfaTokens').where('expiresAt', '<=', token.createdAt).execute();
  await db
    .insertInto('mfaTokens')
    .values({ ...token, usedAt: null })
    .execute();
}

/** A token that is live now (unused, unexpired), without taking it. */
export function findLiveMfaToken(db: Db, tokenHash: string, now: number): Promise<MfaTokenRow | undefined> {
  return db
    .selectFrom('mfaTokens')
    .selectAll()
    .where('tokenHash', '=', tokenHash)
    .where('usedAt', 'is', null)
    .where('expiresAt', '>', now)
    .executeTakeFirst();
}

/**
 * Takes a live token for one login attempt: one conditional UPDATE, so of concurrent attempts
 * with one token exactly one holds it; the others see it as used.
 */
export async function claimMfaToken(
  db: Db,
  tokenHash: string,
  now: number,
): Promise<MfaTokenRow | undefined> {
  return db
    .updateTable('mfaTokens')
    .set({ usedAt: now })
    .where('tokenHash', '=', tokenHash)
    .where('usedAt', 'is', null)
    .where('expiresAt', '>', now)
    .returningAll()
    .executeTakeFirst();
}

/** Gives a claimed token back after a wrong code, so the user can try another within its lifetime. */
export async function releaseMfaToken(db: Db, tokenHash: string): Promise<void> {
  await db.updateTable('mfaTokens').set({ usedAt: null }).where('tokenHash', '=', tokenHash).execute();
}
