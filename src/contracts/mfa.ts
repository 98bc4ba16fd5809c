import { type Static, Type } from '@sinclair/typebox';
import { UserSchema } from './accounts.js';
import { ErrorResponse } from './common.js';
import { SessionSchema } from './sessions.js';

/** A TOTP code (six digits) or a recovery code (`xxxx-xxxx-xxxx-xxxx`; case, spaces, dashes ignored). */
const Code = Type.String({
  minLength: 6,
  maxLength: 64,
  description: 'a six-digit TOTP code, or one of the recovery codes',
});

/** The `mfaToken` of a 401 MFA_REQUIRED / MFA_ENROLLMENT_REQUIRED: 43 characters. */
const MfaToken = Type.String({ minLength: 1, maxLength: 256 });

export const MfaCodeBody = Type.Object({ code: Code }, { additionalProperties: false });

/** Enrolment: the caller's session, or (policy `requireMfa`) the login's `mfaToken` instead. */
export const TotpEnrolBody = Type.Object(
  {
    mfaToken: Type.Optional(
      Type.String({ ...MfaToken, description: 'from MFA_ENROLLMENT_REQUIRED, instead of a session' }),
    ),
  },
  { additionalProperties: false },
);

export const TotpEnrolment = Type.Object({
  secret: Type.String({ description: 'base32, for typing into an authenticator app; shown only now' }),
  otpauthUrl: Type.String({ description: 'the otpauth://totp/ URI the QR code carries' }),
});
export type TotpEnrolmentAnswer = Static<typeof TotpEnrolment>;

export const TotpConfirmBody = Type.Object(
  {
    code: Type.String({ pattern: '^[0-9]{6}$', description: 'the six-digit code the app shows now' }),
    mfaToken: Type.Optional(
      Type.String({ ...MfaToken, description: 'from MFA_ENROLLMENT_REQUIRED: the login finishes' }),
    ),
  },
  { additionalProperties: false },
);

export const TotpConfirmed = Type.Object({
  recoveryCodes: Type.Array(Type.String(), {
    minItems: 10,
    maxItems: 10,
    description: 'each signs in once instead of a code; shown only now, stored hashed',
  }),
  user: Type.Optional(Type.Ref(UserSchema)),
  session: Type.Optional(Type.Ref(SessionSchema)),
});
export type TotpConfirmedAnswer = Static<typeof TotpConfirmed>;

export const MfaStatusSchema = Type.Object({
  totp: Type.Boolean({ description: 'whether TOTP is on (confirmed)' }),
  recoveryCodesLeft: Type.Integer({ minimum: 0 }),
});
export type MfaStatus = Static<typeof MfaStatusSchema>;

export const LoginMfaBody = Type.Object({ mfaToken: MfaToken, code: Code }, { additionalProperties: false });

/** A login's 401: the shared error body, with the `mfaToken` when a second step is what it needs. */
export const LoginChallenge = Type.Object({
  error: ErrorResponse.properties.error,
  mfaToken: Type.Optional(
    Type.String({ description: 'with MFA_REQUIRED or MFA_ENROLLMENT_REQUIRED; lives 5 minutes' }),
  ),
});
export type LoginChallengeBody = Static<typeof LoginChallenge>;
