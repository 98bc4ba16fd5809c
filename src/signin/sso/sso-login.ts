import { createHash, randomBytes } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { UserRow } from '../../accounts/accounts.table.js';
import { ACTIVITY } from '../../activity/activity-names.js';
import { recordActivities } from '../../activity/chain/record.js';
import type { SsoError } from '../../contracts/sso.js';
import type { Schema } from '../../db/schema.js';
import type { Clock } from '../../kernel/clock.js';
import { AppError } from '../../kernel/errors.js';
import { normalizeIp } from '../../kernel/ip.js';
import { MINUTE_MS } from '../../kernel/time.js';
import type { SignIn } from '../../sessions/session-row.js';
import type { OpenedSession, SignInContext } from '../../sessions/sessions.service.js';
import { classify, discover, metadataProblems, oidc, SsoFailure } from './oidc-client.js';
import {
  deleteExpiredSsoLogins,
  findSsoConfig,
  insertSsoLogin,
  orgOfDomain,
  takeSsoLogin,
} from './sso.repository.js';
import type { SsoConfigRow } from './sso.table.js';
import { CALLBACK_PATH, notConfigured, secretContext } from './sso-config.js';
import type { SsoDeps } from './sso-deps.js';
import { matchUser } from './sso-match.js';

/** How long a login may take between the start and the callback. */
export const SSO_LOGIN_TTL_MS = 10 * MINUTE_MS;

/** How long a discovered provider is used before it is read again. */
const DISCOVERY_TTL_MS = 5 * MINUTE_MS;
const MAX_DISCOVERED = 1_000;

/** `amr` values that mean a second factor was used (RFC 8176). */
const MFA_METHODS = new Set(['mfa', 'otp', 'hwk', 'swk']);

const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');

/** A new random value for the browser-binding cookie. */
export const newBrowserToken = () => randomBytes(32).toString('base64url');

export interface StartInput {
  email?: string | undefined;
  orgId?: string | undefined;
  /** Already checked against the redirect allow-list. */
  returnTo?: string | undefined;
  /** The browser's binding cookie: kept, so logins in two tabs both finish. */
  browserToken: string;
  /** The vault's origin, for redirect_uri. */
  origin: string;
}

export interface CallbackInput {
  /** The callback's query string, as the provider sent it. */
  query: URLSearchParams;
  browserToken: string | undefined;
  origin: string;
  context: SignInContext;
}

/** A refused callback: the code for `?error=`, and the reason as recorded. */
export interface SsoRefusal {
  code: SsoError;
  reason: string;
}

export function createSsoLogins(deps: SsoDeps) {
  const { db, clock } = deps;

  // Discovered clients by config version, a few minutes each: a burst of starts costs the
  // provider one discovery, and a changed config (its updatedAt) is a new key at once.
  const discovered = new Map<string, { config: oidc.Configuration; until: number }>();
  const providerOf = async (row: SsoConfigRow) => {
    const key = `${row.orgId}:${row.updatedAt}:${row.issuer}`;
    const now = clock.now();
    const cached = discovered.get(key);
    if (cached && cached.until > now) return cached.config;
    const clientSecret = deps.secretBox?.open(row.clientSecret, secretContext(row.orgId));
    if (clientSecret === undefined)
      throw new SsoFailure('sso_unavailable', 'no secrets key to open the client secret');
    const config = await discover({ issuer: row.issuer, clientId: row.clientId, clientSecret });
    const problems = metadataProblems(config);
    if (problems.length > 0) throw new SsoFailure('sso_provider_error', problems.join('; '));
    if (discovered.size >= MAX_DISCOVERED) discovered.clear();
    discovered.set(key, { config, until: now + DISCOVERY_TTL_MS });
    return config;
  };

  return {
    /** The provider's authorization URL for a new login; SSO_NOT_CONFIGURED, or an SsoFailure. */
    async start(input: StartInput): Promise<string> {
      const orgId = input.orgId ?? (await orgOfEmail(db, input.email));
      const row = orgId === undefined ? undefined : await findSsoConfig(db, orgId);
      if (!row) throw notConfigured();
      const config = await providerOf(row);
      const state = oidc.randomState();
      const nonce = oidc.randomNonce();
      const codeVerifier = oidc.randomPKCECodeVerifier();
      const now = clock.now();
      await deleteExpiredSsoLogins(db, now);
      await insertSsoLogin(db, {
        stateHash: sha256(state),
        browserHash: sha256(input.browserToken),
        orgId: row.orgId,
        issuer: row.issuer,
        nonce,
        codeVerifier,
        loginHint: input.email?.trim().toLowerCase() || null,
        returnTo: input.returnTo ?? null,
        createdAt: now,
        expiresAt: now + SSO_LOGIN_TTL_MS,
      });
      const url = oidc.buildAuthorizationUrl(config, {
        redirect_uri: `${input.origin}${CALLBACK_PATH}`,
        scope: 'openid email profile',
        code_challenge: await oidc.calculatePKCECodeChallenge(codeVerifier),
        code_challenge_method: 'S256',
        state,
        nonce,
        ...(input.email ? { login_hint: input.email.trim() } : {}),
      });
      return url.href;
    },

    /**
     * Finishes a login: the state (taken once, by the browser that started it), the provider's
     * answer (RFC 9207 `iss`, the code exchanged with the PKCE verifier, the ID token's issuer,
     * audience, expiry, nonce and signature, all checked by openid-client), then the user
     * (sso-match.ts). A refusal where the org is known is recorded as `user.login_failed`.
     */
    async finish(
      input: CallbackInput,
    ): Promise<{ opened: OpenedSession; returnTo: string | null } | SsoRefusal> {
      const state = input.query.get('state');
      if (!state || !input.browserToken) {
        return {
          code: 'sso_state_invalid',
          reason: state ? 'no login was started in this browser' : 'no state',
        };
      }
      const login = await takeSsoLogin(db, {
        stateHash: sha256(state),
        browserHash: sha256(input.browserToken),
      });
      if (!login) return { code: 'sso_state_invalid', reason: 'unknown, used or another browser’s state' };
      const now = clock.now();
      const known: { user?: UserRow; username?: string } = {};
      let signIn: { user: UserRow; signIn: SignIn };
      try {
        if (login.expiresAt < now)
          throw new SsoFailure('sso_state_invalid', 'the login took longer than 10 minutes');
        const row = await findSsoConfig(db, login.orgId);
        if (!row || row.issuer !== login.issuer) {
          throw new SsoFailure('sso_state_invalid', 'single sign-on was changed during the login');
        }
        const config = await providerOf(row);
        // The provider's own spelling: links and sessions stay one however the admin typed it.
        const issuer = config.serverMetadata().issuer;
        const currentUrl = new URL(`${input.origin}${CALLBACK_PATH}`);
        for (const [key, value] of input.query) currentUrl.searchParams.append(key, value);
        const tokens = await oidc
          .authorizationCodeGrant(config, currentUrl, {
            pkceCodeVerifier: login.codeVerifier,
            expectedState: state,
            expectedNonce: login.nonce,
            idTokenExpected: true,
          })
          .catch((error) => {
            throw classify(error, 'grant');
          });
        const claims = tokens.claims();
        if (!claims) throw new SsoFailure('sso_token_invalid', 'the provider sent no ID token');
        const identity =
          typeof claims.email === 'string'
            ? claims
            : await oidc.fetchUserInfo(config, tokens.access_token, claims.sub).catch((error) => {
                throw classify(error, 'userinfo');
              });
        const email = typeof identity.email === 'string' ? identity.email.trim().toLowerCase() : undefined;
        if (email) known.username = email;
        const user = await matchUser(deps, {
          orgId: row.orgId,
          row,
          issuer,
          subject: claims.sub,
          email,
          emailVerified: emailVerified(identity),
          now,
          known,
        });
        const amr = Array.isArray(claims.amr) ? claims.amr : [];
        signIn = {
          user,
          signIn: {
            method: 'sso',
            mfa: amr.some((method) => typeof method === 'string' && MFA_METHODS.has(method)),
            identityProvider: issuer,
          },
        };
      } catch (error) {
        const failure =
          error instanceof SsoFailure
            ? error
            : error instanceof AppError
              ? new SsoFailure('sso_unavailable', error.message)
              : undefined;
        if (!failure) throw error;
        await recordFailure(db, clock, login.orgId, {
          user: known.user,
          username: (known.user?.username ?? known.username ?? login.loginHint ?? 'unknown').slice(0, 256),
          ip: normalizeIp(input.context.ip),
          failure,
          issuer: login.issuer,
        });
        return { code: failure.code, reason: failure.message };
      }
      try {
        const opened = await deps.sessions.openSession(signIn.user, input.context, signIn.signIn);
        return { opened, returnTo: login.returnTo };
      } catch (error) {
        // Recorded by the session limit itself.
        if (error instanceof AppError && error.code === 'SESSION_LIMIT') {
          return { code: 'sso_session_limit', reason: error.message };
        }
        throw error;
      }
    },
  };
}

const isTrue = (value: unknown) => value === true || value === 'true' || value === 1 || value === '1';

/**
 * Whether the provider vouches for the email: `email_verified`, or where that is absent, Entra
 * ID's `xms_edov` (the email's domain is verified by the tenant that owns it), which Entra sends
 * as an optional claim in place of `email_verified`. An explicit `email_verified: false` wins.
 */
function emailVerified(identity: Record<string, unknown>): boolean {
  if (identity.email_verified !== undefined) return isTrue(identity.email_verified);
  return isTrue(identity.xms_edov);
}

async function orgOfEmail(db: Kysely<Schema>, email: string | undefined): Promise<string | undefined> {
  const at = email?.lastIndexOf('@') ?? -1;
  if (!email || at < 0) return undefined;
  return orgOfDomain(
    db,
    email
      .slice(at + 1)
      .trim()
      .toLowerCase(),
  );
}

/**
 * `user.login_failed` in the org the login was for. A user the provider named but the vault does
 * not know is recorded by the email the provider asserted (userId null): the org is known from
 * the state, and its admins want to see who tried (decision 021).
 */
async function recordFailure(
  db: Kysely<Schema>,
  clock: Clock,
  orgId: string,
  input: { user: UserRow | undefined; username: string; ip: string; failure: SsoFailure; issuer: string },
): Promise<void> {
  const now = clock.now();
  await db.transaction().execute((trx) =>
    recordActivities(
      trx,
      orgId,
      [
        {
          occurredAt: now,
          userId: input.user?.id ?? null,
          username: input.username,
          activity: ACTIVITY.LOGIN_FAILED,
          status: 'failure',
          target: input.issuer,
          details: { method: 'sso', reason: input.failure.code, detail: input.failure.message },
          publicIp: input.ip,
        },
      ],
      now,
    ),
  );
}
