import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import { errors } from '../contracts/common.js';
import { LoginBody, MeResponse } from '../contracts/sessions.js';
import { clientIp } from '../http/client-ip.js';
import { readDeviceCookie, setDeviceCookie } from '../http/device-cookie.js';
import { requireActor, requireSession } from '../http/plugins/auth.js';
import type { SessionCookies } from '../http/session-cookie.js';
import type { SessionService } from './sessions.service.js';

/** SSO's check of a password login (signin/sso/sso-gate.ts), passed in: signin sits above sessions. */
export interface PasswordLoginGate {
  admitPasswordLogin(
    username: string,
    context: { ip: string },
  ): Promise<{ opened(session: { id: string }): Promise<void> }>;
}

export interface AuthRoutesOptions {
  sessions: SessionService;
  cookies: SessionCookies;
  sso: PasswordLoginGate;
}

export const authRoutes: FastifyPluginAsyncTypebox<AuthRoutesOptions> = async (
  app,
  { sessions, cookies, sso },
) => {
  app.post(
    '/api/auth/login',
    {
      config: { auth: 'none' },
      schema: {
        tags: ['auth'],
        summary: 'Log in: opens a new session and sets its HttpOnly cookie',
        body: LoginBody,
        response: { 200: MeResponse, ...errors(400, 401, 403, 429, 503) },
      },
    },
    async (request, reply) => {
      // By the username alone, before any password is checked: 403 SSO_REQUIRED where the org enforces SSO.
      const admission = await sso.admitPasswordLogin(request.body.username, { ip: clientIp(request) });
      const result = await sessions.login({
        username: request.body.username,
        password: request.body.password,
        ip: clientIp(request),
        headers: request.headers,
        deviceToken: readDeviceCookie(request),
      });
      await admission.opened(result.session);
      cookies.set(request, reply, result.token);
      setDeviceCookie(reply, result.deviceToken, cookies.isSecure(request));
      return { user: result.user, session: result.session };
    },
  );

  app.post(
    '/api/auth/logout',
    {
      schema: {
        tags: ['auth'],
        summary: 'Ends the current session',
        response: { 204: Type.Null(), ...errors(401, 403) },
      },
    },
    async (request, reply) => {
      await sessions.logout(requireActor(request));
      cookies.clear(request, reply);
      return reply.status(204).send(null);
    },
  );

  app.get(
    '/api/me',
    {
      schema: {
        tags: ['auth'],
        summary: 'Who I am, and my current session',
        response: { 200: MeResponse, ...errors(401) },
      },
    },
    async (request) => {
      const { row } = requireSession(request);
      return { user: sessions.describeCurrentUser(row), session: sessions.describeCurrentSession(row) };
    },
  );
};
