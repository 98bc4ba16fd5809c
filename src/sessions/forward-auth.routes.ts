import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import type { AllowedHosts } from '../http/allowed-hosts.js';
import { clientIp } from '../http/client-ip.js';
import { forwardedRequest } from '../http/forwarded-request.js';
import type { SessionCookies } from '../http/session-cookie.js';
import { SESSION_SCRIPT } from './session-script.js';
import type { SessionService } from './sessions.service.js';

export interface ForwardAuthRoutesOptions {
  sessions: SessionService;
  cookies: SessionCookies;
  allowed: AllowedHosts;
}

/** What the proxy copies to the protected app on a 200. */
export const IDENTITY_HEADERS = {
  user: 'x-vault-user',
  userId: 'x-vault-user-id',
  role: 'x-vault-role',
  orgId: 'x-vault-org-id',
  sessionId: 'x-vault-session-id',
} as const;

/** No body at all (not even `null`): a schema with no type, so nothing is serialized. */
const EmptyBody = (description: string) => Type.Unsafe<undefined>({ description });

// Usernames are ASCII today (kernel/username.ts); a header must stay ASCII whatever they become.
const headerSafe = (text: string) => text.replace(/[^\x20-\x7e]/gu, (c) => encodeURIComponent(c));

/**
 * `GET /api/auth/verify`: a reverse proxy (nginx auth_request, Traefik ForwardAuth, Caddy
 * forward_auth) asks it before every request to a protected app. The same per-request check as
 * every console request, so a Logout refuses the app's very next request too, on any instance.
 * The answer is a status and headers only: no body, no redirect, no cookie (a proxy would pass a
 * Set-Cookie on to the app's response, or drop it), and it is never rate-limited.
 */
export const forwardAuthRoutes: FastifyPluginAsyncTypebox<ForwardAuthRoutesOptions> = async (
  app,
  { sessions, cookies, allowed },
) => {
  app.get(
    '/api/auth/verify',
    {
      config: { auth: 'none' },
      schema: {
        tags: ['auth'],
        summary: 'Forward auth: 200 with X-Vault-* identity headers for a live session cookie, else 401',
        description:
          'Decides on the session cookie alone (X-Vault-*, Origin and Content-Type sent to it are ignored). ' +
          'X-Forwarded-Host / X-Original-URI / X-Forwarded-Uri / X-Forwarded-Method only record where the ' +
          'session was used. 503 when the database cannot be asked: the proxy then refuses (fails closed). ' +
          'Every answer has an empty body.',
        response: {
          200: EmptyBody('Live session; identity in X-Vault-User, -User-Id, -Role, -Org-Id, -Session-Id'),
          401: EmptyBody('No session cookie, or the session ended'),
          503: EmptyBody('The database is unavailable'),
        },
      },
    },
    async (request, reply) => {
      reply.header('cache-control', 'no-store');
      const token = cookies.read(request);
      if (!token) return reply.code(401).send(undefined);
      const forwarded = forwardedRequest(request);
      let result: Awaited<ReturnType<SessionService['validateSessionToken']>>;
      try {
        result = await sessions.validateSessionToken(token, {
          ip: clientIp(request),
          // session.js asks from the app's page itself, with no proxy in between.
          usedOn: forwarded.host ?? allowed.originHost(request.headers.origin) ?? 'unknown',
        });
      } catch (error) {
        request.log.warn({ err: error }, 'forward auth: session check failed');
        return reply.code(503).send(undefined);
      }
      if (!result.ok) return reply.code(401).send(undefined);
      const { actor } = result;
      return reply
        .code(200)
        .header(IDENTITY_HEADERS.user, headerSafe(actor.username))
        .header(IDENTITY_HEADERS.userId, actor.userId)
        .header(IDENTITY_HEADERS.role, actor.role)
        .header(IDENTITY_HEADERS.orgId, actor.orgId)
        .header(IDENTITY_HEADERS.sessionId, result.row.id)
        .send(undefined);
    },
  );

  app.get(
    '/api/auth/session.js',
    {
      config: { auth: 'none' },
      schema: {
        tags: ['auth'],
        summary:
          "A protected app's page includes this script to follow its session: sent to the login page on Logout",
        response: { 200: Type.String({ description: 'JavaScript' }) },
      },
    },
    async (_request, reply) =>
      reply
        .type('text/javascript; charset=utf-8')
        .header('cache-control', 'public, max-age=300')
        // Loaded by a <script> tag on another origin (the protected app's).
        .header('cross-origin-resource-policy', 'cross-origin')
        .send(SESSION_SCRIPT),
  );
};
