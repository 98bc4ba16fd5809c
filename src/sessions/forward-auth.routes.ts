import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { parseUrl } from '../http/allowed-hosts.js';
import { clientIp } from '../http/client-ip.js';
import { forwardedRequest } from '../http/forwarded-request.js';
import { isPassive } from '../http/passive.js';
import type { SessionCookies } from '../http/session-cookie.js';
import { SESSION_SCRIPT } from './session-script.js';
import type { SessionService } from './sessions.service.js';

export interface ForwardAuthRoutesOptions {
  sessions: SessionService;
  cookies: SessionCookies;
  /** PUBLIC_URL: where the redirecting variant sends a browser to log in. */
  publicUrl: string | undefined;
}

/** What the proxy copies to the protected app on a 200. */
export const IDENTITY_HEADERS = {
  user: 'x-vault-user',
  userId: 'x-vault-user-id',
  role: 'x-vault-role',
  orgId: 'x-vault-org-id',
  sessionId: 'x-vault-session-id',
  loginMethod: 'x-vault-login-method',
  mfa: 'x-vault-mfa',
} as const;

type Refusal = (request: FastifyRequest, reply: FastifyReply) => FastifyReply;
const unauthorized: Refusal = (_request, reply) => reply.code(401).send(undefined);

/** No body at all (not even `null`): a schema with no type, so nothing is serialized. */
const EmptyBody = (description: string) => Type.Unsafe<undefined>({ description });
const LIVE = EmptyBody(
  'Live session; identity in X-Vault-User, -User-Id, -Role, -Org-Id, -Session-Id, -Login-Method, -Mfa',
);
const DATABASE_DOWN = EmptyBody('The database is unavailable');

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
  { sessions, cookies, publicUrl },
) => {
  /**
   * Answered in onRequest, before the body is parsed or the input is checked: a proxy passes the
   * browser's headers as they are (a POST's Content-Type, a User-Agent with any bytes), and the
   * answer must depend on the session cookie alone, never turn into a 400 the proxy reads as an
   * error (nginx answers 500 to any status but 2xx, 401 and 403).
   */
  const check = async (request: FastifyRequest, reply: FastifyReply, refuse: Refusal) => {
    reply.header('cache-control', 'no-store');
    const token = cookies.read(request);
    if (!token) return refuse(request, reply);
    const touch = !isPassive(request);
    let result: Awaited<ReturnType<SessionService['validateSessionToken']>>;
    try {
      result = await sessions.validateSessionToken(token, {
        ip: clientIp(request),
        touch,
        usedOn: touch ? (forwardedRequest(request).host ?? 'unknown') : null,
      });
    } catch (error) {
      request.log.warn({ err: error }, 'forward auth: session check failed');
      return reply.code(503).send(undefined);
    }
    if (!result.ok) return refuse(request, reply);
    const { actor } = result;
    return reply
      .code(200)
      .header(IDENTITY_HEADERS.user, headerSafe(actor.username))
      .header(IDENTITY_HEADERS.userId, actor.userId)
      .header(IDENTITY_HEADERS.role, actor.role)
      .header(IDENTITY_HEADERS.orgId, actor.orgId)
      .header(IDENTITY_HEADERS.sessionId, result.row.id)
      .header(IDENTITY_HEADERS.loginMethod, result.row.loginMethod)
      .header(IDENTITY_HEADERS.mfa, result.row.mfa === 1 ? 'true' : 'false')
      .send(undefined);
  };
  const answer = (request: FastifyRequest, reply: FastifyReply) => check(request, reply, unauthorized);
  /**
   * For a proxy that cannot build the login redirect itself (Traefik's ForwardAuth hands the
   * vault's non-2xx answer to the browser as it is): a 401 becomes a 302 to PUBLIC_URL's login page
   * with `rd` made of the forwarded proto, host and URI. The login page checks `rd` as always.
   */
  const answerOrRedirect = (request: FastifyRequest, reply: FastifyReply) =>
    check(request, reply, (req, r) => {
      const forwarded = forwardedRequest(req);
      if (publicUrl === undefined || forwarded.host === undefined) return unauthorized(req, r);
      // Serialised by URL, so the Location carries no raw space, quote or non-ASCII byte.
      const back = parseUrl(`${forwarded.proto ?? 'https'}://${forwarded.host}${forwarded.uri ?? '/'}`);
      if (back === undefined) return unauthorized(req, r);
      return r.redirect(`${publicUrl}/login?rd=${back.href}`, 302);
    });

  app.get(
    '/api/auth/verify',
    {
      config: { auth: 'none' },
      onRequest: answer,
      schema: {
        tags: ['auth'],
        summary: 'Forward auth: 200 with X-Vault-* identity headers for a live session cookie, else 401',
        description:
          'Decides on the session cookie alone (X-Vault-*, Origin and Content-Type sent to it are ignored). ' +
          'X-Forwarded-Host / X-Original-URI / X-Forwarded-Uri / X-Forwarded-Method only record where the ' +
          'session was used. 503 when the database cannot be asked: the proxy then refuses (fails closed). ' +
          'Every answer has an empty body.',
        response: {
          200: LIVE,
          401: EmptyBody('No session cookie, or the session ended'),
          503: DATABASE_DOWN,
        },
      },
    },
    // Reached only if onRequest did not answer, which it always does.
    answer,
  );

  app.get(
    '/api/auth/verify-redirect',
    {
      config: { auth: 'none' },
      onRequest: answerOrRedirect,
      schema: {
        tags: ['auth'],
        summary:
          'Forward auth for Traefik: as /api/auth/verify, but no or an ended session gets 302 to the login page',
        description:
          'Location: PUBLIC_URL/login?rd=<X-Forwarded-Proto>://<X-Forwarded-Host><X-Forwarded-Uri>. ' +
          'Without PUBLIC_URL (or a forwarded host) it answers 401 like /api/auth/verify.',
        response: {
          200: LIVE,
          302: EmptyBody('No session cookie, or the session ended: to the login page'),
          401: EmptyBody('No session cookie, or the session ended, and PUBLIC_URL is not set'),
          503: DATABASE_DOWN,
        },
      },
    },
    // Reached only if onRequest did not answer, which it always does.
    answerOrRedirect,
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
