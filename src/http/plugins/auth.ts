import type { FastifyContextConfig, FastifyInstance, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import type { ApiKeyPrincipal, ApiKeyService } from '../../accounts/api-keys.service.js';
import type { ApiKeyScope } from '../../contracts/api-keys.js';
import type { Actor } from '../../kernel/actor.js';
import { AppError } from '../../kernel/errors.js';
import type { CheckedSession, SessionRejection, SessionService } from '../../sessions/sessions.service.js';
import { clientIp } from '../client-ip.js';
import { isPassive } from '../passive.js';
import type { SessionCookies } from '../session-cookie.js';

export interface AuthenticatedSession {
  row: CheckedSession;
  /** The token it was found by, for a long-lived request (the event stream) that re-checks it. */
  token: string;
}

declare module 'fastify' {
  interface FastifyRequest {
    actor: Actor | null;
    /** The validated session's row and user, so routes like /api/me need no second query. */
    authenticated: AuthenticatedSession | null;
    /** The org service calling with `Authorization: Bearer <API key>`, where a route allows it. */
    apiKey: ApiKeyPrincipal | null;
  }
  interface FastifyContextConfig {
    /**
     * `none`: anyone may call; default `session`: a valid session; `session-or-api-key`: also an
     * org API key; `api-key`: an org API key only (the session cookie is not even read);
     * `session-optional`: a valid session sets the actor, and without one the route decides (the
     * MFA enrolment, which also takes a login's `mfaToken`).
     */
    auth?: 'none' | 'session' | 'session-or-api-key' | 'api-key' | 'session-optional';
    /** The scope an API key must hold to call the route (403 INSUFFICIENT_SCOPE without it). */
    apiKeyScope?: ApiKeyScope;
  }
}

const ENDED_MESSAGES: Record<SessionRejection, string> = {
  unknown: 'Not logged in',
  expired: 'Your session expired; log in again',
  logout: 'You logged out',
  terminated: 'Your session was ended by an administrator or from another device',
  password_changed: 'Your password was changed; log in again',
  user_disabled: 'Your account was disabled',
  idle: 'Your session expired; log in again',
  session_limit: 'Your session was ended: you opened more sessions than your organization allows',
};

/** Turns the session cookie into `request.actor`, or refuses the request with 401 / 503. */
export const authPlugin = fp(
  async (
    app: FastifyInstance,
    options: {
      sessions: SessionService;
      apiKeys: ApiKeyService;
      cookies: SessionCookies;
    },
  ) => {
    app.decorateRequest('actor', null);
    app.decorateRequest('authenticated', null);
    app.decorateRequest('apiKey', null);
    app.addHook('onRequest', async (request, reply) => {
      const mode = authMode(request);
      if (mode === 'none') return;
      const bearer =
        mode === 'session-or-api-key' || mode === 'api-key'
          ? request.headers.authorization?.match(/^Bearer\s+(\S+)$/i)?.[1]
          : undefined;
      if (!bearer && mode === 'api-key') {
        throw new AppError(
          'NOT_AUTHENTICATED',
          'This route takes an org API key: Authorization: Bearer vsk_…',
        );
      }
      if (bearer) {
        const principal = await options.apiKeys.authenticateApiKey(bearer).catch((error: unknown) => {
          request.log.warn({ err: error }, 'API key check failed');
          throw new AppError('DATABASE_UNAVAILABLE', 'Cannot verify the API key right now; try again');
        });
        if (!principal) throw new AppError('NOT_AUTHENTICATED', 'Invalid or revoked API key');
        const scope = request.routeOptions.config.apiKeyScope;
        if (scope !== undefined && !principal.scopes.includes(scope)) {
          throw new AppError('INSUFFICIENT_SCOPE', `This API key lacks the scope "${scope}"`);
        }
        request.apiKey = principal;
        return;
      }
      const token = options.cookies.read(request);
      if (!token && mode === 'session-optional') return;
      if (!token) throw new AppError('NOT_AUTHENTICATED', ENDED_MESSAGES.unknown);
      let result: Awaited<ReturnType<SessionService['validateSessionToken']>>;
      try {
        result = await options.sessions.validateSessionToken(token, {
          ip: clientIp(request),
          touch: !isPassive(request),
        });
      } catch (error) {
        // Fail closed: without the database we cannot know the session was not revoked.
        request.log.warn({ err: error }, 'session check failed');
        throw new AppError('DATABASE_UNAVAILABLE', 'Cannot verify the session right now; try again');
      }
      if (!result.ok) {
        options.cookies.clear(request, reply);
        if (mode === 'session-optional') return;
        const code = result.reason === 'unknown' ? 'NOT_AUTHENTICATED' : 'SESSION_ENDED';
        throw new AppError(code, ENDED_MESSAGES[result.reason], {
          'x-session-ended': result.reason,
        });
      }
      request.actor = result.actor;
      request.authenticated = { row: result.row, token };
    });
  },
  { name: 'auth', dependencies: ['@fastify/cookie'] },
);

/**
 * Decided from the pattern of the route the router matched, never from the raw URL: the router
 * decodes `/%61pi/me` to the `/api/me` route, so a prefix test on `request.url` would wave it
 * through. Routes outside /api/ (the web app, its assets, /docs) are public; so is a path that
 * matched no route, since the 404 handler has nothing to protect.
 */
function authMode(request: FastifyRequest): NonNullable<FastifyContextConfig['auth']> {
  const pattern = request.routeOptions.url;
  if (pattern === undefined || !pattern.startsWith('/api/')) return 'none';
  return request.routeOptions.config.auth ?? 'session';
}

/** The logged-in caller; routes behind the auth hook can rely on it. */
export function requireActor(request: FastifyRequest): Actor {
  if (!request.actor) throw new AppError('NOT_AUTHENTICATED', 'Not logged in');
  return request.actor;
}

/** The config of a route that reads the activity log: a session, or a key with `activities:read`. */
export const KEY_MAY_READ = { auth: 'session-or-api-key', apiKeyScope: 'activities:read' } as const;

/**
 * The caller of a route an API key may read (`activities:read`): a session's actor, or the key
 * reading its org's log as an admin does (recorded by its prefix where it acts, e.g. an export).
 */
export function requireReader(request: FastifyRequest): Actor {
  const key = request.apiKey;
  if (!key) return requireActor(request);
  return {
    userId: null,
    orgId: key.orgId,
    username: `api_key ${key.prefix}`,
    role: 'admin',
    sessionId: null,
    publicIp: clientIp(request),
  };
}

/** The caller's session as validated by the auth hook. */
export function requireSession(request: FastifyRequest): AuthenticatedSession {
  if (!request.authenticated) throw new AppError('NOT_AUTHENTICATED', 'Not logged in');
  return request.authenticated;
}
