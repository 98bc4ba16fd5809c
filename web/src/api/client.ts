import type {
  ActivityHistogram,
  ActivityPage,
  ActivityQuery,
  ApiKey,
  ApiKeyScope,
  CreatedApiKey,
  CreateStream,
  EndReason,
  ErrorCode,
  Me,
  MfaStatus,
  OrgPolicy,
  OrgPolicyUpdate,
  Role,
  SessionDetail,
  SessionFilter,
  SessionListQuery,
  SessionPage,
  SsoConfig,
  SsoConfigInput,
  SsoTestResult,
  Stream,
  StreamTestResult,
  TotpConfirmedAnswer,
  TotpEnrolmentAnswer,
  User,
  UserListQuery,
  UserPage,
} from './types.ts';

/** An API answer other than 2xx, with the server's error code and safe-to-show message. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    /** The server's code; `HTTP_<status>` for an answer that is not the API's (a proxy's); NETWORK when none came. */
    readonly code: ErrorCode | `HTTP_${number}` | 'NETWORK',
    message: string,
    /** Why the session ended, from `x-session-ended`, when code is SESSION_ENDED. */
    readonly endReason: EndReason | null = null,
    /** Seconds from `Retry-After` on a 429. */
    readonly retryAfter: number | null = null,
    /** With MFA_REQUIRED or MFA_ENROLLMENT_REQUIRED: the token of the login's second step. */
    readonly mfaToken: string | null = null,
  ) {
    super(message);
  }
}

/**
 * A readable marker cookie beside the HttpOnly session cookie, with the same (browser-session)
 * lifetime. Without it the app knows nobody is logged in and shows the login page without asking
 * /api/me — and without the 401 the browser would log in the console.
 */
const HINT_COOKIE = 'vault_ui';

export function rememberSignedIn(): void {
  // biome-ignore lint/suspicious/noDocumentCookie: a plain flag; the Cookie Store API is not everywhere yet
  document.cookie = `${HINT_COOKIE}=1; Path=/; SameSite=Lax`;
}

export function forgetSignedIn(): void {
  // biome-ignore lint/suspicious/noDocumentCookie: see rememberSignedIn
  document.cookie = `${HINT_COOKIE}=; Path=/; Max-Age=0; SameSite=Lax`;
}

export function maybeSignedIn(): boolean {
  return document.cookie.split(/;\s*/).includes(`${HINT_COOKIE}=1`);
}

type UnauthorizedListener = (error: ApiError) => void;
let onUnauthorized: UnauthorizedListener | null = null;

/** Called when any request (other than login) comes back 401: the app returns to the login page. */
export function setUnauthorizedListener(listener: UnauthorizedListener | null): void {
  onUnauthorized = listener;
}

async function toApiError(response: Response): Promise<ApiError> {
  const body = (await response.json().catch(() => null)) as {
    error?: { code?: ErrorCode; message?: string };
    mfaToken?: string;
  } | null;
  const reason = response.headers.get('x-session-ended') as EndReason | null;
  const retry = Number(response.headers.get('retry-after'));
  return new ApiError(
    response.status,
    body?.error?.code ?? `HTTP_${response.status}`,
    body?.error?.message ?? (response.statusText || `Request failed (${response.status})`),
    reason,
    Number.isFinite(retry) && retry > 0 ? retry : null,
    typeof body?.mfaToken === 'string' ? body.mfaToken : null,
  );
}

interface RequestOptions {
  body?: unknown;
  signal?: AbortSignal;
  /** Login answers 401 for wrong credentials: that is not "the session is gone". */
  quiet401?: boolean;
}

const SECOND_FACTOR_ANSWERS: ReadonlySet<ApiError['code']> = new Set([
  'INVALID_MFA_CODE',
  'MFA_TOKEN_INVALID',
  'MFA_REQUIRED',
  'MFA_ENROLLMENT_REQUIRED',
]);

async function request<T>(method: string, path: string, options: RequestOptions = {}): Promise<T> {
  let response: Response;
  try {
    response = await fetch(path, {
      method,
      credentials: 'same-origin',
      headers:
        options.body === undefined
          ? { accept: 'application/json' }
          : { accept: 'application/json', 'content-type': 'application/json' },
      body: options.body === undefined ? undefined : JSON.stringify(options.body),
      signal: options.signal,
    });
  } catch (error) {
    if (error instanceof DOMException && error.name === 'AbortError') throw error;
    throw new ApiError(0, 'NETWORK', 'The server cannot be reached. Check your connection and try again.');
  }
  if (!response.ok) {
    const error = await toApiError(response);
    // A wrong second-factor code is a 401 too, but says nothing of the session.
    if (response.status === 401 && !SECOND_FACTOR_ANSWERS.has(error.code)) {
      forgetSignedIn();
      if (!options.quiet401) onUnauthorized?.(error);
    }
    throw error;
  }
  if (response.status === 204) return undefined as T;
  return (await response.json()) as T;
}

/** Turns a query into URL search parameters (arrays repeat the key; empty values are left out). */
export function searchParams(query: ActivityQuery | SessionListQuery | UserListQuery): URLSearchParams {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(query)) {
    if (value === undefined || value === '' || value === null) continue;
    if (Array.isArray(value)) for (const item of value) params.append(key, String(item));
    else params.set(key, String(value));
  }
  return params;
}

/** The typed client of the Vault Sessions HTTP API; every call is same-origin with the session cookie. */
export const api = {
  login: async (username: string, password: string) => {
    const me = await request<Me>('POST', '/api/auth/login', { body: { username, password }, quiet401: true });
    rememberSignedIn();
    return me;
  },
  /** The second step of an MFA_REQUIRED login: a TOTP or recovery code. */
  loginMfa: async (mfaToken: string, code: string) => {
    const me = await request<Me>('POST', '/api/auth/login/mfa', { body: { mfaToken, code }, quiet401: true });
    rememberSignedIn();
    return me;
  },
  mfaStatus: (signal?: AbortSignal) => request<MfaStatus>('GET', '/api/me/mfa', { signal }),
  /** A new TOTP secret; with the mfaToken of MFA_ENROLLMENT_REQUIRED instead of a session. */
  enrolTotp: (mfaToken?: string) =>
    request<TotpEnrolmentAnswer>('POST', '/api/me/mfa/totp', {
      body: mfaToken === undefined ? {} : { mfaToken },
      quiet401: mfaToken !== undefined,
    }),
  /** Turns TOTP on; the recovery codes come back in this answer only (with an mfaToken, the login too). */
  confirmTotp: async (code: string, mfaToken?: string) => {
    const answer = await request<TotpConfirmedAnswer>('POST', '/api/me/mfa/totp/confirm', {
      body: mfaToken === undefined ? { code } : { code, mfaToken },
      quiet401: mfaToken !== undefined,
    });
    if (answer.session) rememberSignedIn();
    return answer;
  },
  disableTotp: (code: string) => request<void>('DELETE', '/api/me/mfa/totp', { body: { code } }),
  /** Admin: removes a user's TOTP (a lost phone). */
  resetUserMfa: (id: string) =>
    request<{ removed: boolean }>('DELETE', `/api/users/${encodeURIComponent(id)}/mfa`),
  logout: async () => {
    try {
      await request<void>('POST', '/api/auth/logout', { quiet401: true });
    } finally {
      forgetSignedIn();
    }
  },
  me: async (signal?: AbortSignal) => {
    const me = await request<Me>('GET', '/api/me', { signal, quiet401: true });
    rememberSignedIn();
    return me;
  },
  changePassword: (currentPassword: string, newPassword: string) =>
    request<void>('POST', '/api/me/password', { body: { currentPassword, newPassword } }),
  /** Admin: a page of the org's users by username; user: themselves; each with live sessions, last activity and lockout. */
  users: (query: UserListQuery = {}, signal?: AbortSignal) =>
    request<UserPage>('GET', `/api/users?${searchParams(query)}`, { signal }),
  addUser: (input: { username: string; password: string; role: Role }) =>
    request<{ user: User }>('POST', '/api/users', { body: input }),
  /** One change at a time: disabling ends every session of the user. */
  updateUser: (id: string, change: { disabled: boolean } | { role: Role }) =>
    request<{ user: User }>('PATCH', `/api/users/${encodeURIComponent(id)}`, { body: change }),
  /** A generated password comes back once in `password`; every session of the user ends. */
  resetPassword: (id: string) =>
    request<{ user: User; password?: string; endedSessions: number }>(
      'POST',
      `/api/users/${encodeURIComponent(id)}/password`,
      { body: {} },
    ),
  /** Admin: lets a user locked out by failed password attempts log in again at once. */
  clearLockout: (id: string) =>
    request<{ cleared: number }>('DELETE', `/api/users/${encodeURIComponent(id)}/lockout`),
  sessions: (query: SessionListQuery, signal?: AbortSignal) =>
    request<SessionPage>('GET', `/api/sessions?${searchParams(query)}`, { signal }),
  session: (id: string, signal?: AbortSignal) =>
    request<SessionDetail>('GET', `/api/sessions/${encodeURIComponent(id)}`, { signal }),
  endSessions: (sessionIds: string[]) =>
    request<{ terminated: number }>('POST', '/api/sessions/logout', { body: { sessionIds } }),
  /** Admin: every live session the filter matches but the caller's own (the filter must have a key). */
  endSessionsByFilter: (filter: SessionFilter) =>
    request<{ terminated: number }>('POST', '/api/sessions/logout', { body: { filter } }),
  /** Admin: the org's session policy in force, and the configuration's defaults. */
  orgPolicy: (signal?: AbortSignal) => request<OrgPolicy>('GET', '/api/org/policy', { signal }),
  /** Admin: changes the fields given; answers the whole policy. */
  updateOrgPolicy: (update: OrgPolicyUpdate) =>
    request<OrgPolicy>('PUT', '/api/org/policy', { body: update }),
  /** Admin: the org's SSO provider (never its client secret); 404 SSO_NOT_CONFIGURED before the first save. */
  ssoConfig: (signal?: AbortSignal) => request<SsoConfig>('GET', '/api/org/sso', { signal }),
  /** Admin: without `clientSecret` the stored one is kept. */
  saveSsoConfig: (input: SsoConfigInput) => request<SsoConfig>('PUT', '/api/org/sso', { body: input }),
  deleteSsoConfig: () => request<void>('DELETE', '/api/org/sso'),
  /** Admin: the settings as typed (unsaved too; no secret: the stored one) against the provider, check by check; changes nothing. */
  testSso: (input: SsoConfigInput) => request<SsoTestResult>('POST', '/api/org/sso/test', { body: input }),
  activities: (query: ActivityQuery, signal?: AbortSignal) =>
    request<ActivityPage>('GET', `/api/activities?${searchParams(query)}`, { signal }),
  activityHistogram: (query: ActivityQuery, signal?: AbortSignal) =>
    request<ActivityHistogram>('GET', `/api/activities/histogram?${searchParams(query)}`, { signal }),
  activityTypes: (signal?: AbortSignal) =>
    request<{ activityTypes: string[] }>('GET', '/api/activity-types', { signal }),
  /** Admin: the org's active keys (never the keys themselves). */
  apiKeys: (signal?: AbortSignal) => request<{ apiKeys: ApiKey[] }>('GET', '/api/api-keys', { signal }),
  /** Admin: the key comes back in this answer only. */
  createApiKey: (input: { name: string; scopes: ApiKeyScope[] }) =>
    request<CreatedApiKey>('POST', '/api/api-keys', { body: input }),
  revokeApiKey: (id: string) => request<void>('DELETE', `/api/api-keys/${encodeURIComponent(id)}`),
  /** Admin: the org's activity streams with their state and lag (never their secret or token). */
  streams: (signal?: AbortSignal) => request<{ streams: Stream[] }>('GET', '/api/streams', { signal }),
  /** Admin: the secret and token go to the server in this request only. */
  createStream: (input: CreateStream) => request<Stream>('POST', '/api/streams', { body: input }),
  deleteStream: (id: string) => request<void>('DELETE', `/api/streams/${encodeURIComponent(id)}`),
  /** Sends a test request to the receiver and says what it answered; changes nothing. */
  testStream: (id: string) =>
    request<StreamTestResult>('POST', `/api/streams/${encodeURIComponent(id)}/test`),
  /** A failed stream delivers again from where it stopped. */
  resumeStream: (id: string) => request<Stream>('POST', `/api/streams/${encodeURIComponent(id)}/resume`),
  /** The CSV download's address (a plain GET the browser saves as a file). */
  exportUrl: (query: ActivityQuery) =>
    `/api/activities/export?${searchParams({ ...query, limit: undefined, cursor: undefined })}&format=csv`,
};
