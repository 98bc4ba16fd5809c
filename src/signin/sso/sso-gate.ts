import { ACTIVITY } from '../../activity/activity-names.js';
import { type ActivityEvent, recordActivities } from '../../activity/chain/record.js';
import { AppError } from '../../kernel/errors.js';
import { normalizeIp } from '../../kernel/ip.js';
import { findSsoConfig, orgOfDomain } from './sso.repository.js';
import type { SsoDeps } from './sso-deps.js';

/** What a password login admitted by the gate records with its session, in the same commit. */
export interface PasswordAdmission {
  /** `sso.break_glass_login` when it is one; nothing otherwise. */
  alsoRecord(sessionId: string, now: number): ActivityEvent[];
}

const NOTHING_TO_DO: PasswordAdmission = { alsoRecord: () => [] };

const ssoRequired = () =>
  new AppError('SSO_REQUIRED', 'Your organization signs in through single sign-on: use “Continue with SSO”');

/**
 * Decides by the username alone, before any password is looked at, whether a password login may
 * go on: not for a user of an org that enforces SSO (nor for an unknown name of such an org's
 * email domain, so the answer tells nothing about which names exist), except an admin where the
 * org keeps break-glass logins (allowAdminPasswordLogin).
 */
export function createPasswordGate(deps: SsoDeps) {
  const { db, clock } = deps;
  return async function admitPasswordLogin(
    username: string,
    context: { ip: string },
  ): Promise<PasswordAdmission> {
    const user = await deps.users.signInUserNamed(username);
    const at = username.lastIndexOf('@');
    const orgId =
      user?.orgId ??
      (at < 0
        ? undefined
        : await orgOfDomain(
            db,
            username
              .slice(at + 1)
              .trim()
              .toLowerCase(),
          ));
    const config = orgId === undefined ? undefined : await findSsoConfig(db, orgId);
    if (!config || Number(config.enforced) !== 1) return NOTHING_TO_DO;
    const ip = normalizeIp(context.ip);
    if (user?.role === 'admin' && Number(config.allowAdminPasswordLogin) === 1) {
      return {
        alsoRecord: (sessionId, now) => [
          {
            occurredAt: now,
            userId: user.id,
            username: user.username,
            activity: ACTIVITY.SSO_BREAK_GLASS_LOGIN,
            status: 'success',
            target: config.issuer,
            details: 'password login of an admin while single sign-on is enforced (allowAdminPasswordLogin)',
            publicIp: ip,
            sessionId,
          },
        ],
      };
    }
    if (user) {
      const now = clock.now();
      await db.transaction().execute((trx) =>
        recordActivities(
          trx,
          user.orgId,
          [
            {
              occurredAt: now,
              userId: user.id,
              username: user.username,
              activity: ACTIVITY.LOGIN_FAILED,
              status: 'failure',
              details: { method: 'password', reason: 'sso_required' },
              publicIp: ip,
            },
          ],
          now,
        ),
      );
    }
    throw ssoRequired();
  };
}
