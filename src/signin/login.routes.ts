import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { errors } from '../contracts/common.js';
import { LoginChallenge, LoginMfaBody } from '../contracts/mfa.js';
import { LoginBody, MeResponse } from '../contracts/sessions.js';
import { clientIp } from '../http/client-ip.js';
import { readDeviceCookie, setDeviceCookie } from '../http/device-cookie.js';
import { requireJsonStrings } from '../http/json-strings.js';
import type { SessionCookies } from '../http/session-cookie.js';
import { errorBody } from '../kernel/errors.js';
import type { OpenedSession } from '../sessions/sessions.service.js';
import type { SignInService } from './sign-in.service.js';

export interface LoginRoutesOptions {
  signIn: SignInService;
  cookies: SessionCookies;
}

/** Sets the new session's cookie and answers as /api/me does. */
export function answerSession(
  request: FastifyRequest,
  reply: FastifyReply,
  cookies: SessionCookies,
  opened: OpenedSession,
) {
  cookies.set(request, reply, opened.token);
  return { user: opened.user, session: opened.session };
}

export const loginRoutes: FastifyPluginAsyncTypebox<LoginRoutesOptions> = async (
  app,
  { signIn, cookies },
) => {
  app.post(
    '/api/auth/login',
    {
      config: { auth: 'none' },
      schema: {
        tags: ['auth'],
        summary:
          'Log in: opens a new session and sets its HttpOnly cookie; with TOTP on (or required), a 401 with an mfaToken for the second step',
        body: LoginBody,
        response: { 200: MeResponse, 401: LoginChallenge, ...errors(400, 403, 429, 503) },
      },
    },
    async (request, reply) => {
      const outcome = await signIn.login({
        username: request.body.username,
        password: request.body.password,
        ip: clientIp(request),
        headers: request.headers,
        deviceToken: readDeviceCookie(request),
      });
      // The password was right: this browser is known, whatever the second step brings.
      const knownDevice = () => setDeviceCookie(reply, outcome.deviceToken, cookies.isSecure(request));
      if (outcome.kind === 'challenge') {
        knownDevice();
        const body = errorBody(outcome.code, outcome.message, request.id);
        return reply.status(401).send({ ...body, mfaToken: outcome.mfaToken });
      }
      const me = answerSession(request, reply, cookies, outcome.opened);
      knownDevice();
      return me;
    },
  );

  app.post(
    '/api/auth/login/mfa',
    {
      config: { auth: 'none' },
      schema: {
        tags: ['auth'],
        summary: 'Finishes an MFA_REQUIRED login with a TOTP or recovery code: opens the session',
        body: LoginMfaBody,
        response: { 200: MeResponse, ...errors(400, 401, 403, 429, 503) },
      },
      preValidation: requireJsonStrings('mfaToken', 'code'),
    },
    async (request, reply) => {
      const opened = await signIn.finish({
        mfaToken: request.body.mfaToken,
        code: request.body.code.trim(),
        ip: clientIp(request),
        headers: request.headers,
      });
      return answerSession(request, reply, cookies, opened);
    },
  );
};
