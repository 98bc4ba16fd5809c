import type { Kysely } from 'kysely';
import { lockedOutActivity } from '../../accounts/credential-activities.js';
import type { Credentials } from '../../accounts/credentials.js';
import { type ActivityEvent, recordActivities } from '../../activity/chain/record.js';
import type { MfaStatus, TotpEnrolmentAnswer } from '../../contracts/mfa.js';
import type { Schema } from '../../db/schema.js';
import { type Actor, isAdmin } from '../../kernel/actor.js';
import type { Clock } from '../../kernel/clock.js';
import { AppError, forbidden, notFound } from '../../kernel/errors.js';
import { normalizeIp } from '../../kernel/ip.js';
import type { SecretBox } from '../../kernel/secret-box.js';
import {
  confirmFactor,
  countUnusedRecoveryCodes,
  deleteFactor,
  findTotpFactor,
  replaceRecoveryCodes,
  savePendingFactor,
  spendRecoveryCode,
  takeStep,
} from './mfa.repository.js';
import {
  type MfaSubject,
  mfaCodeFailedActivity,
  mfaDisabledActivity,
  mfaEnabledActivity,
  mfaResetActivity,
  recoveryCodeUsedActivity,
} from './mfa-activities.js';
import { hashRecoveryCode, newRecoveryCodes } from './recovery-codes.js';
import { newTotpSecret, otpauthUrl, totpCodeOf, totpStep } from './totp.js';

/** The user a second-factor step is for, and where the request came from. */
export interface MfaUser {
  id: string;
  orgId: string;
  username: string;
  ip: string;
  sessionId: string | null;
}

/** What the service needs of accounts: the row of a user in an org (the admin's reset). */
export interface MfaDirectory {
  userRowInOrg(orgId: string, userId: string): Promise<{ id: string; username: string } | undefined>;
}

export interface MfaServiceDeps {
  db: Kysely<Schema>;
  clock: Clock;
  secretBox: SecretBox | undefined;
  credentials: Pick<Credentials, 'checkCode' | 'lockoutEndsAt'>;
  directory: MfaDirectory;
}

const invalidCode = () =>
  new AppError(
    'INVALID_MFA_CODE',
    'That code is not right, was used already, or has expired; try the next one',
  );

/** Which kind of code proved the second factor. */
export type CodeKind = 'totp' | 'recovery_code';

export type MfaService = ReturnType<typeof createMfaService>;

/** TOTP factors: enrolment, confirmation, the codes a login or a change of them is checked by. */
export function createMfaService(deps: MfaServiceDeps) {
  const { db, clock } = deps;
  const contextOf = (userId: string) => `totp:${userId}`;
  const box = (): SecretBox => {
    if (!deps.secretBox) throw new Error('TOTP needs the secrets key (SECRETS_KEY_FILE)');
    return deps.secretBox;
  };
  const subjectOf = (user: MfaUser): MfaSubject => ({
    userId: user.id,
    username: user.username,
    ip: normalizeIp(user.ip),
    sessionId: user.sessionId,
  });
  const record = (orgId: string, events: ActivityEvent[], now: number) =>
    db.transaction().execute((trx) => recordActivities(trx, orgId, events, now));

  /** Takes the code if it is good now: a TOTP step newer than the last, or an unused recovery code. */
  async function take(userId: string, code: string, now: number): Promise<CodeKind | undefined> {
    const totp = totpCodeOf(code);
    if (totp !== undefined) {
      const factor = await findTotpFactor(db, userId);
      if (!factor || factor.confirmedAt === null) return undefined;
      const step = totpStep(box().open(factor.secret, contextOf(userId)), totp, now);
      return step !== undefined && (await takeStep(db, userId, step)) ? 'totp' : undefined;
    }
    return (await spendRecoveryCode(db, userId, hashRecoveryCode(code), now)) ? 'recovery_code' : undefined;
  }

  /**
   * Checks a code within the password guess limits; a wrong one is a failed login (and maybe the
   * lockout) in the log, and throws INVALID_MFA_CODE; a used recovery code is recorded.
   */
  async function verify(user: MfaUser, code: string, during: 'login' | 'disable'): Promise<CodeKind> {
    const subject = subjectOf(user);
    let kind: CodeKind | undefined;
    const { ok, lockedOut } = await deps.credentials.checkCode(
      { username: user.username, ip: subject.ip },
      async () => {
        kind = await take(user.id, code, clock.now());
        return kind !== undefined;
      },
    );
    const now = clock.now();
    if (!ok || kind === undefined) {
      const events = [mfaCodeFailedActivity(subject, now, during)];
      if (lockedOut) events.push(lockedOutActivity(user, subject.ip, now, deps.credentials.lockoutEndsAt()));
      await record(user.orgId, events, now);
      throw invalidCode();
    }
    if (kind === 'recovery_code') {
      const left = await countUnusedRecoveryCodes(db, user.id);
      await record(user.orgId, [recoveryCodeUsedActivity(subject, now, left)], now);
    }
    return kind;
  }

  return {
    verify,

    /** Whether the user's TOTP is on (confirmed): a password alone no longer signs them in. */
    async hasTotp(userId: string): Promise<boolean> {
      const factor = await findTotpFactor(db, userId);
      return factor !== undefined && factor.confirmedAt !== null;
    },

    async status(userId: string): Promise<MfaStatus> {
      const factor = await findTotpFactor(db, userId);
      const on = factor !== undefined && factor.confirmedAt !== null;
      return { totp: on, recoveryCodesLeft: on ? await countUnusedRecoveryCodes(db, userId) : 0 };
    },

    /** A new pending secret (replacing one not yet confirmed); 409 while TOTP is on. */
    async enrol(user: MfaUser): Promise<TotpEnrolmentAnswer> {
      const secret = newTotpSecret();
      const saved = await savePendingFactor(db, {
        userId: user.id,
        orgId: user.orgId,
        secret: box().seal(secret, contextOf(user.id)),
        createdAt: clock.now(),
      });
      if (!saved)
        throw new AppError('CONFLICT', 'Two-factor authentication is already on; turn it off first');
      return { secret, otpauthUrl: otpauthUrl(secret, user.username) };
    },

    /**
     * Turns the pending secret on with its first code (that step is then used) and answers ten
     * new recovery codes, which are shown only now.
     */
    async confirm(user: MfaUser, code: string): Promise<string[]> {
      const now = clock.now();
      const factor = await findTotpFactor(db, user.id);
      if (!factor || factor.confirmedAt !== null) {
        throw new AppError(
          'CONFLICT',
          factor ? 'Two-factor authentication is already on' : 'Start the enrolment first',
        );
      }
      const step = totpStep(box().open(factor.secret, contextOf(user.id)), code, now);
      if (step === undefined) throw invalidCode();
      const codes = newRecoveryCodes();
      await db.transaction().execute(async (trx) => {
        // The secret the code was checked against: an enrolment started meanwhile replaced it.
        if (!(await confirmFactor(trx, { userId: user.id, secret: factor.secret, step, at: now }))) {
          throw new AppError('CONFLICT', 'The enrolment changed meanwhile; start it again');
        }
        await replaceRecoveryCodes(trx, user.id, codes.map(hashRecoveryCode), now);
        await recordActivities(trx, user.orgId, [mfaEnabledActivity(subjectOf(user), now)], now);
      });
      return codes;
    },

    /** Turns TOTP off with a good code (TOTP or recovery), under the guess limits. */
    async disable(user: MfaUser, code: string): Promise<void> {
      if (!(await findTotpFactor(db, user.id))?.confirmedAt) {
        throw new AppError('CONFLICT', 'Two-factor authentication is not on');
      }
      const kind = await verify(user, code, 'disable');
      const now = clock.now();
      await db.transaction().execute(async (trx) => {
        await deleteFactor(trx, user.id);
        await recordActivities(trx, user.orgId, [mfaDisabledActivity(subjectOf(user), now, kind)], now);
      });
    },

    /** Admin: removes a user's TOTP (a lost phone), in their own org only; an activity. */
    async reset(actor: Actor, userId: string): Promise<{ removed: boolean }> {
      if (!isAdmin(actor)) throw forbidden('Only admins can reset a user’s two-factor authentication');
      const user = await deps.directory.userRowInOrg(actor.orgId, userId);
      if (!user) throw notFound('User');
      const now = clock.now();
      return db.transaction().execute(async (trx) => {
        const removed = await deleteFactor(trx, user.id);
        if (removed)
          await recordActivities(trx, actor.orgId, [mfaResetActivity(actor, user.username, now)], now);
        return { removed };
      });
    },
  };
}
