/** Every error code the API can answer with, and its HTTP status. */
export const ERROR_CODES = {
  INVALID_INPUT: 400,
  INVALID_CREDENTIALS: 401,
  NOT_AUTHENTICATED: 401,
  SESSION_ENDED: 401,
  /** The password was right and TOTP is on: finish with POST /api/auth/login/mfa and the `mfaToken`. */
  MFA_REQUIRED: 401,
  /** The org requires MFA and the user has none: enrol with the `mfaToken`, which allows nothing else. */
  MFA_ENROLLMENT_REQUIRED: 401,
  /** A TOTP or recovery code that is wrong, used already, or outside its time step. */
  INVALID_MFA_CODE: 401,
  /** An `mfaToken` that is unknown, expired or used. */
  MFA_TOKEN_INVALID: 401,
  FORBIDDEN: 403,
  CSRF_FAILED: 403,
  /** A valid API key that lacks the scope the route demands. */
  INSUFFICIENT_SCOPE: 403,
  /** A login beyond the org's sessions per user, where its policy says deny. */
  SESSION_LIMIT: 403,
  /** The org signs in through its SSO provider: no password login for this user. */
  SSO_REQUIRED: 403,
  NOT_FOUND: 404,
  /** No SSO for this email's domain or org. */
  SSO_NOT_CONFIGURED: 404,
  CONFLICT: 409,
  /** The change would leave an org without an active admin. */
  LAST_ADMIN: 409,
  REQUEST_TIMEOUT: 408,
  PAYLOAD_TOO_LARGE: 413,
  UNSUPPORTED_MEDIA_TYPE: 415,
  HEADERS_TOO_LARGE: 431,
  RATE_LIMITED: 429,
  INTERNAL: 500,
  DATABASE_UNAVAILABLE: 503,
  SERVER_BUSY: 503,
} as const;

export type ErrorCode = keyof typeof ERROR_CODES;

/** An error the client is meant to see: its code picks the status, its message is safe to show. */
export class AppError extends Error {
  readonly statusCode: number;
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
    this.statusCode = ERROR_CODES[code];
  }
}

export const notFound = (what: string) => new AppError('NOT_FOUND', `${what} not found`);
export const forbidden = (message: string) => new AppError('FORBIDDEN', message);
export const invalidInput = (message: string) => new AppError('INVALID_INPUT', message);

/** The error body; `requestId` is the answer's `X-Request-Id`, where there is a request. */
export function errorBody(code: ErrorCode, message: string, requestId?: string) {
  return { error: requestId === undefined ? { code, message } : { code, message, requestId } };
}
