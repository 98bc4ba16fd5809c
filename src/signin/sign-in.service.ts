import type { UserRow } from '../accounts/accounts.table.js';
import type { TotpEnrolmentAnswer } from '../contracts/mfa.js';
import { AppError } from '../kernel/errors.js';
import { PASSWORD_SIGN_IN, type SignIn } from '../sessions/session-row.js';
import type {
  LoginInput,
  OpenedSession,
  SessionService,
  SignInContext,
} from '../sessions/sessions.service.js';
import type { MfaService, MfaUser } from './mfa/mfa.service.js';
import type { MfaTokenPurpose, MfaTokenRow } from './mfa/mfa.table.js';
import type { MfaTokens } from './mfa/mfa-tokens.js';
import type { PasswordAdmission } from './sso/sso-gate.js';

/** A password and a TOTP (or recovery) code. */
const PASSWORD_AND_TOTP: SignIn = { method: 'password', mfa: true, identityProvider: null };

/** What a password login comes to: a session, or a second step to take with the `mfaToken`. */
export type LoginOutcome =
  | { kind: 'session'; opened: OpenedSession; deviceToken: string }
  | {
      kind: 'challenge';
      code: 'MFA_REQUIRED' | 'MFA_ENROLLMENT_REQUIRED';
      message: string;
      mfaToken: string;
      deviceToken: string;
    };

/**
 * SSO's check of a password login (signin/sso/sso-gate.ts): by the username alone, before any
 * password is checked (403 SSO_REQUIRED where the org enforces SSO); `alsoRecord` names the
 * break-glass activity that commits with the session it opens.
 */
export interface PasswordLoginGate {
  admitPasswordLogin(username: string, context: { ip: string }): Promise<PasswordAdmission>;
}

export interface SignInDeps {
  sessions: Pick<SessionService, 'checkPassword' | 'openSession'>;
  mfa: MfaService;
  tokens: MfaTokens;
  /** The org policy's `requireMfa`, read afresh at each login. */
  policy: { requiresMfa(orgId: string): Promise<boolean> };
  /** The user's row, afresh: one disabled since the password was checked finishes no login. */
  directory: { userRowInOrg(orgId: string, userId: string): Promise<UserRow | undefined> };
  gate: PasswordLoginGate;
}

export type SignInService = ReturnType<typeof createSignInService>;

/** The steps before a session: the password, then (when on or required) the second factor. */
export function createSignInService(deps: SignInDeps) {
  const { sessions, mfa, tokens } = deps;

  /** The token's user, still enabled, as the MFA steps take them. */
  async function userOf(row: MfaTokenRow, ip: string): Promise<{ row: UserRow; mfaUser: MfaUser }> {
    const user = await deps.directory.userRowInOrg(row.orgId, row.userId);
    if (!user || user.disabledAt !== null) {
      throw new AppError('MFA_TOKEN_INVALID', 'This sign-in can no longer finish; sign in again');
    }
    return {
      row: user,
      mfaUser: { id: user.id, orgId: user.orgId, username: user.username, ip, sessionId: null },
    };
  }

  const challenge = async (user: UserRow, purpose: MfaTokenPurpose) => ({
    kind: 'challenge' as const,
    mfaToken: await tokens.issue(user, purpose),
  });

  return {
    async login(input: LoginInput): Promise<LoginOutcome> {
      const admission = await deps.gate.admitPasswordLogin(input.username, { ip: input.ip });
      const { user, deviceToken } = await sessions.checkPassword(input);
      if (await mfa.hasTotp(user.id)) {
        return {
          ...(await challenge(user, 'verify')),
          code: 'MFA_REQUIRED',
          message: 'Enter the code from your authenticator app',
          deviceToken,
        };
      }
      if (await deps.policy.requiresMfa(user.orgId)) {
        return {
          ...(await challenge(user, 'enrol')),
          code: 'MFA_ENROLLMENT_REQUIRED',
          message: 'Your organization requires two-factor authentication: set it up to sign in',
          deviceToken,
        };
      }
      const opened = await sessions.openSession(user, input, PASSWORD_SIGN_IN, admission.alsoRecord);
      return { kind: 'session', opened, deviceToken };
    },

    /** Finishes an MFA_REQUIRED login with a TOTP or recovery code: one session per token. */
    finish(input: SignInContext & { mfaToken: string; code: string }): Promise<OpenedSession> {
      return tokens.spend(input.mfaToken, 'verify', async (token) => {
        const { row, mfaUser } = await userOf(token, input.ip);
        // Asked again: SSO may have been enforced since the password step.
        const admission = await deps.gate.admitPasswordLogin(row.username, { ip: input.ip });
        await mfa.verify(mfaUser, input.code, 'login');
        return sessions.openSession(row, input, PASSWORD_AND_TOTP, admission.alsoRecord);
      });
    },

    /** Enrolment with an MFA_ENROLLMENT_REQUIRED token (no session yet); may be started again. */
    async enrolWithToken(mfaToken: string, ip: string): Promise<TotpEnrolmentAnswer> {
      const { mfaUser } = await userOf(await tokens.peek(mfaToken, 'enrol'), ip);
      return mfa.enrol(mfaUser);
    },

    /** The confirmation that finishes an MFA_ENROLLMENT_REQUIRED login. */
    confirmWithToken(
      input: SignInContext & { mfaToken: string; code: string },
    ): Promise<{ opened: OpenedSession; recoveryCodes: string[] }> {
      return tokens.spend(input.mfaToken, 'enrol', async (token) => {
        const { row, mfaUser } = await userOf(token, input.ip);
        const admission = await deps.gate.admitPasswordLogin(row.username, { ip: input.ip });
        const recoveryCodes = await mfa.confirm(mfaUser, input.code);
        const opened = await sessions.openSession(row, input, PASSWORD_AND_TOTP, admission.alsoRecord);
        return { opened, recoveryCodes };
      });
    },
  };
}
